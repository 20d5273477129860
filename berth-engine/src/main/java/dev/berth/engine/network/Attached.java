package dev.berth.engine.network;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/** What CNI gave a running container on one network. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record Attached(String ifname, String ipAddress, int prefixLen, String gateway, String macAddress) {}

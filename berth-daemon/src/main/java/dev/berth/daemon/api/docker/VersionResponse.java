package dev.berth.daemon.api.docker;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/** {@code GET /version}: Docker's SystemVersion shape. */
public record VersionResponse(
    Platform platform,
    List<Component> components,
    String version,
    String apiVersion,
    @JsonProperty("MinAPIVersion") String minApiVersion,
    String gitCommit,
    String goVersion,
    String os,
    String arch,
    String kernelVersion,
    String buildTime) {

  public record Platform(String name) {}

  public record Component(String name, String version, Map<String, String> details) {}
}

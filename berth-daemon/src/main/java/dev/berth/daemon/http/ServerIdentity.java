package dev.berth.daemon.http;

/** Headers Docker's daemon puts on every response; clients read Api-Version from /_ping. */
public record ServerIdentity(String server, String apiVersion, String osType) {}

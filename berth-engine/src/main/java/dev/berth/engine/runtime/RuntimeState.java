package dev.berth.engine.runtime;

import java.util.Map;

/**
 * What {@code runc state} reports (the OCI state). {@code status} is one of creating, created,
 * running, paused, stopped; {@code pid} is 0 once stopped.
 */
public record RuntimeState(
    String ociVersion, String id, String status, int pid, String bundle, Map<String, String> annotations) {}

package dev.berth.engine.runtime;

import java.nio.file.Path;

/**
 * What the start-up probe found about one OCI runtime.
 *
 * @param version as the runtime reports it, or "unknown"
 * @param usable true when a throwaway container ran /bin/true successfully
 * @param reason one line: why it is not usable ("ok" when it is)
 */
public record ProbedRuntime(String name, Path path, String version, boolean usable, String reason) {}

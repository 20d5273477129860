package dev.berth.engine.runtime;

/** A finished exec session: its exit code and what it wrote. */
public record ExecResult(int exitCode, String stdout, String stderr) {}

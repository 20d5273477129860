package dev.berth.engine.pod;

/** ExecSync's answer: output capped at 16 MiB per stream (CRI's rule), the exit code. */
public record ExecSyncResult(byte[] stdout, byte[] stderr, int exitCode) {
  /** CRI's cap on each stream of an ExecSync answer. */
  public static final int MAX_OUTPUT = 16 * 1024 * 1024;
}

package dev.berth.engine.runtime;

/** The outcome of a finished helper command. */
public record CommandResult(int exitCode, String stdout, String stderr) {
  public boolean ok() {
    return exitCode == 0;
  }
}

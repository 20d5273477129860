package dev.berth.testkit;

/** What a finished command printed and returned. */
public record ProcessResult(int exitCode, String stdout, String stderr) {
  @Override
  public String toString() {
    return "exit " + exitCode + "\n--- stdout\n" + stdout + "--- stderr\n" + stderr;
  }
}

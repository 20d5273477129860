package dev.berth.engine.build.dockerfile;

import java.util.List;

/**
 * The command of RUN, CMD, ENTRYPOINT and HEALTHCHECK CMD: the JSON (exec) form or the shell form.
 * Words are raw: Docker does not expand variables in these instructions (the shell does).
 */
public sealed interface Command {

  /** {@code ["executable", "arg"]}: run as given, no shell. An empty list is {@code CMD []}. */
  record Exec(List<String> args) implements Command {
    public Exec {
      args = List.copyOf(args);
    }
  }

  /**
   * The shell form: the text after the instruction (and its flags), continuations joined, run
   * by the stage's SHELL (default {@code /bin/sh -c}). Empty when the instruction had no text.
   */
  record Shell(String script) implements Command {}
}

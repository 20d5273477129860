package dev.berth.engine.runtime;

import dev.berth.engine.BerthException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Runs short-lived helper binaries (runc, crun, conmon's launcher) with a deadline. */
final class Commands {
  private Commands() {}

  /**
   * Runs {@code argv} with stdin from /dev/null, reading stdout and stderr on virtual threads so
   * a chatty child never blocks on a full pipe. Kills the child when {@code timeout} passes.
   */
  static CommandResult run(List<String> argv, Duration timeout) {
    java.lang.Process process;
    try {
      process =
          new ProcessBuilder(argv).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
    } catch (IOException e) {
      throw new BerthException.Unavailable("cannot run " + argv.getFirst() + ": " + e.getMessage());
    }
    Future<String> out = drain(process.getInputStream());
    Future<String> err = drain(process.getErrorStream());
    try {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        process.waitFor();
        throw new BerthException(
            String.join(" ", argv) + " did not finish within " + timeout.toSeconds() + "s; it was killed");
      }
      return new CommandResult(process.exitValue(), get(out), get(err));
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new BerthException("interrupted while running " + argv.getFirst(), e);
    }
  }

  private static Future<String> drain(InputStream in) {
    FutureTask<String> task =
        new FutureTask<>(
            () -> {
              try (in) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
              }
            });
    Thread.ofVirtual().name("drain").start(task);
    return task;
  }

  private static String get(Future<String> output) throws InterruptedException {
    try {
      return output.get(10, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw new UncheckedIOException(new IOException("cannot read a helper's output", e.getCause()));
    } catch (TimeoutException e) {
      // A grandchild kept the pipe open; what we have read so far is lost but the result stands.
      return "";
    }
  }
}

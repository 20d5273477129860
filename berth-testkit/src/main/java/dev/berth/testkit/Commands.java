package dev.berth.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs commands as processes with a timeout, capturing their output. */
public final class Commands {
  private Commands() {}

  public static ProcessResult run(List<String> command, Duration timeout) {
    return run(command, Map.of(), timeout);
  }

  public static ProcessResult run(List<String> command, Map<String, String> env, Duration timeout) {
    return run(command, env, null, timeout);
  }

  /** Runs {@code command} with {@code stdin} (a file, or null for /dev/null) as its input. */
  public static ProcessResult run(List<String> command, Map<String, String> env, Path stdin, Duration timeout) {
    Path out = null;
    Path err = null;
    try {
      out = Files.createTempFile("berth-cmd", ".out");
      err = Files.createTempFile("berth-cmd", ".err");
      ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile())
          .redirectInput(ProcessBuilder.Redirect.from(stdin != null ? stdin.toFile() : new java.io.File("/dev/null")));
      pb.environment().putAll(env);
      Process p = pb.start();
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly().waitFor();
        throw new IllegalStateException("timed out after " + timeout + ": " + command + "\n"
            + Files.readString(out) + Files.readString(err));
      }
      return new ProcessResult(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
          Files.readString(err, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } finally {
      deleteQuietly(out);
      deleteQuietly(err);
    }
  }

  /** bin/berth with -H pointing at {@code host}. */
  public static ProcessResult berth(String host, String... args) {
    return run(berthCommand(host, args), Duration.ofMinutes(2));
  }

  /** bin/berth's command line with -H pointing at {@code host}. */
  public static List<String> berthCommand(String host, String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Repo.root().resolve("bin/berth").toString());
    if (host != null) {
      cmd.add("-H");
      cmd.add(host);
    }
    cmd.addAll(List.of(args));
    return cmd;
  }

  private static void deleteQuietly(Path p) {
    if (p != null) {
      try {
        Files.deleteIfExists(p);
      } catch (IOException ignored) {
        // a temp file; the OS cleans /tmp eventually
      }
    }
  }
}

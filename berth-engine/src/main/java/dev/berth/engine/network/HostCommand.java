package dev.berth.engine.network;

import dev.berth.engine.BerthException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a short host tool (unshare, iptables-restore) with input and a deadline. */
final class HostCommand {
  private HostCommand() {}

  record Result(int exitCode, String stdout, String stderr) {}

  static Result run(List<String> argv, String stdin) {
    try {
      Process p = new ProcessBuilder(argv).start();
      try (var in = p.getOutputStream()) {
        in.write(stdin.getBytes(StandardCharsets.UTF_8));
      } catch (IOException notRead) {
        // the tool exited without reading its input: its exit code tells
      }
      String[] errText = new String[1];
      Thread err = Thread.ofVirtual().start(() -> {
        try {
          errText[0] = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
          errText[0] = e.getMessage();
        }
      });
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new BerthException(String.join(" ", argv) + " did not finish within 30 s");
      }
      err.join();
      return new Result(p.exitValue(), out, errText[0] == null ? "" : errText[0].strip());
    } catch (IOException e) {
      throw new BerthException.Unavailable("cannot run " + argv.getFirst() + ": " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BerthException("interrupted while running " + argv.getFirst(), e);
    }
  }

  static Result checked(List<String> argv, String stdin) {
    Result r = run(argv, stdin);
    if (r.exitCode() != 0) {
      throw new BerthException(String.join(" ", argv) + " failed (exit " + r.exitCode() + "): " + r.stderr());
    }
    return r;
  }
}

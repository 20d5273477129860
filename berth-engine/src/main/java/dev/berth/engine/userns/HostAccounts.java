package dev.berth.engine.userns;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The host's users and groups as the system's name service knows them ({@code getent}), and
 * shadow-utils' tools that add a system user and its subordinate ranges.
 */
public interface HostAccounts {
  /** A passwd or group entry: its name and numeric id. */
  record Account(String name, long id) {}

  /** By name, or by number when {@code nameOrId} is all digits. */
  Optional<Account> user(String nameOrId);

  Optional<Account> group(String nameOrId);

  /** {@code useradd --system}: no home, no login shell, no group of its own (see decision 2000). */
  void addSystemUser(String name);

  /** {@code usermod --add-subuids/--add-subgids}; false when usermod is missing or fails. */
  boolean addRanges(String name, IdRange uids, IdRange gids);

  /** The real host: getent, useradd, usermod. */
  HostAccounts SYSTEM = new HostAccounts() {
    @Override
    public Optional<Account> user(String nameOrId) {
      return getent("passwd", nameOrId);
    }

    @Override
    public Optional<Account> group(String nameOrId) {
      return getent("group", nameOrId);
    }

    @Override
    public void addSystemUser(String name) {
      Result r = run(List.of("useradd", "--system", "--no-create-home", "--shell", "/bin/false", "--no-user-group",
          "--gid", "nogroup", name));
      if (r.exitCode() != 0 && user(name).isEmpty()) {
        throw new IllegalArgumentException("cannot create the user " + name + " for --userns-remap default: useradd: "
            + r.output().strip() + "; create it by hand (useradd --system " + name + ")");
      }
    }

    @Override
    public boolean addRanges(String name, IdRange uids, IdRange gids) {
      Result r = run(List.of("usermod", "--add-subuids", uids.start() + "-" + (uids.end() - 1),
          "--add-subgids", gids.start() + "-" + (gids.end() - 1), name));
      return r.exitCode() == 0;
    }

    private Optional<Account> getent(String database, String key) {
      Result r = run(List.of("getent", database, key));
      if (r.exitCode() != 0) {
        return Optional.empty();
      }
      String[] f = r.output().strip().split(":");
      try {
        return f.length >= 3 ? Optional.of(new Account(f[0], Long.parseLong(f[2]))) : Optional.empty();
      } catch (NumberFormatException e) {
        return Optional.empty();
      }
    }
  };

  /** A tool's exit code and its stdout and stderr together. */
  record Result(int exitCode, String output) {}

  private static Result run(List<String> argv) {
    try {
      Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
      p.getOutputStream().close();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return new Result(-1, argv.getFirst() + " did not finish within 30 s");
      }
      return new Result(p.exitValue(), out);
    } catch (IOException e) {
      return new Result(-1, "cannot run " + argv.getFirst() + ": " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Result(-1, "interrupted");
    }
  }
}

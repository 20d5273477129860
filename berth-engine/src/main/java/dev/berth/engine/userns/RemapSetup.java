package dev.berth.engine.userns;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * berthd's {@code --userns-remap} value turned into a {@link Remapping} at start, with dockerd's
 * rules: {@code default} is the user {@code berth} (made with its ranges when missing, as dockerd
 * makes {@code dockremap}); {@code USER[:GROUP]} and {@code UID[:GID]} name existing accounts;
 * the ranges come from /etc/subuid (by user) and /etc/subgid (by group, else by user name).
 * Every failure is an {@link IllegalArgumentException} whose message says what to do.
 */
public final class RemapSetup {
  private static final Logger LOG = LoggerFactory.getLogger(RemapSetup.class);
  /** {@code --userns-remap default}'s user, as dockerd's {@code dockremap}. */
  public static final String DEFAULT_USER = "berth";

  private final HostAccounts accounts;
  private final Path subuid;
  private final Path subgid;

  public RemapSetup(HostAccounts accounts, Path subuid, Path subgid) {
    this.accounts = accounts;
    this.subuid = subuid;
    this.subgid = subgid;
  }

  /** The real host's accounts and /etc/subuid, /etc/subgid. */
  public static RemapSetup system() {
    return new RemapSetup(HostAccounts.SYSTEM, Path.of("/etc/subuid"), Path.of("/etc/subgid"));
  }

  public Remapping resolve(String value) {
    String v = value == null ? "" : value.strip();
    if (v.isEmpty()) {
      throw new IllegalArgumentException("--userns-remap needs a value: default, USER[:GROUP] or UID[:GID]");
    }
    String[] parts = v.split(":", -1);
    if (parts.length > 2 || parts[0].isEmpty() || (parts.length == 2 && parts[1].isEmpty())) {
      throw new IllegalArgumentException("--userns-remap " + v + ": use default, USER[:GROUP] or UID[:GID]");
    }
    String user;
    String group;
    OptionalLong userId;
    if (parts[0].equals("default")) {
      if (parts.length == 2) {
        throw new IllegalArgumentException("--userns-remap " + v + ": default takes no group");
      }
      HostAccounts.Account account = ensureDefaultUser();
      user = account.name();
      group = account.name(); // the key of /etc/subgid's line, as dockerd's dockremap:dockremap
      userId = OptionalLong.of(account.id());
    } else {
      HostAccounts.Account account = accounts.user(parts[0]).orElseThrow(() -> new IllegalArgumentException(
          (isNumber(parts[0]) ? "uid " + parts[0] + " has no entry in /etc/passwd" : "user \"" + parts[0]
              + "\" does not exist") + " (--userns-remap " + v + "); create it, or use --userns-remap default"));
      user = account.name();
      userId = OptionalLong.of(account.id());
      if (parts.length == 2) {
        group = accounts.group(parts[1]).map(HostAccounts.Account::name).orElseThrow(() ->
            new IllegalArgumentException((isNumber(parts[1]) ? "gid " + parts[1] + " has no entry in /etc/group"
                : "group \"" + parts[1] + "\" does not exist") + " (--userns-remap " + v + ")"));
      } else {
        group = user;
      }
    }
    OptionalLong groupId = accounts.group(group).map(a -> OptionalLong.of(a.id())).orElse(OptionalLong.empty());
    List<IdRange> uids = read(subuid).rangesOf(user, userId);
    List<IdRange> gids = read(subgid).rangesOf(group, groupId);
    check(uids, "uid", user, subuid, "--add-subuids");
    check(gids, "gid", group, subgid, "--add-subgids");
    Remapping remapping = Remapping.of(user, group, uids, gids);
    LOG.info("user namespaces: container root is {}:{} on the host ({} ids from {} and {})", remapping.rootUid(),
        remapping.rootGid(), remapping.size(), subuid, subgid);
    return remapping;
  }

  private static void check(List<IdRange> ranges, String kind, String name, Path file, String usermodFlag) {
    String add = "usermod " + usermodFlag + " 100000-165535 " + name;
    if (ranges.isEmpty()) {
      throw new IllegalArgumentException("no subordinate " + kind + " ranges for " + name + " in " + file
          + " (--userns-remap); add one, e.g. " + add);
    }
    long total = ranges.stream().mapToLong(IdRange::count).sum();
    if (total < SubordinateIds.MIN_COUNT) {
      throw new IllegalArgumentException("the subordinate " + kind + " ranges of " + name + " in " + file + " hold "
          + total + " ids; --userns-remap needs at least " + SubordinateIds.MIN_COUNT
          + " (container ids 0-65535); give it a larger range, e.g. " + add);
    }
  }

  /** The user {@code berth}, made with 65536 subordinate uids and gids when it or its ranges are missing. */
  private HostAccounts.Account ensureDefaultUser() {
    Optional<HostAccounts.Account> existing = accounts.user(DEFAULT_USER);
    if (existing.isEmpty()) {
      LOG.info("--userns-remap default: creating the system user {}", DEFAULT_USER);
      accounts.addSystemUser(DEFAULT_USER);
    }
    HostAccounts.Account account = accounts.user(DEFAULT_USER).orElseThrow(() -> new IllegalArgumentException(
        "cannot create the user " + DEFAULT_USER + " for --userns-remap default; create it by hand"));
    SubordinateIds uids = read(subuid);
    SubordinateIds gids = read(subgid);
    boolean needUids = uids.rangesOf(account.name(), OptionalLong.of(account.id())).isEmpty();
    boolean needGids = gids.rangesOf(account.name(), OptionalLong.empty()).isEmpty();
    if (needUids || needGids) {
      IdRange u = uids.nextFree(SubordinateIds.MIN_COUNT);
      IdRange g = gids.nextFree(SubordinateIds.MIN_COUNT);
      LOG.info("--userns-remap default: giving {} the subordinate uids {}-{} and gids {}-{}", account.name(),
          u.start(), u.end() - 1, g.start(), g.end() - 1);
      if (!(needUids && needGids && accounts.addRanges(account.name(), u, g))) {
        // usermod missing, or only one file lacks a line: append as shadow-utils writes them
        if (needUids) {
          append(subuid, account.name(), u);
        }
        if (needGids) {
          append(subgid, account.name(), g);
        }
      }
    }
    return account;
  }

  /** Adds {@code NAME:START:COUNT} to the file: a temp copy renamed over it, keeping its mode. */
  static void append(Path file, String name, IdRange range) {
    try {
      String before = Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
      String text = before + (before.isEmpty() || before.endsWith("\n") ? "" : "\n")
          + name + ":" + range.start() + ":" + range.count() + "\n";
      Path temp = file.resolveSibling(file.getFileName() + "+");
      Files.writeString(temp, text, StandardCharsets.UTF_8);
      if (Files.exists(file)) {
        Files.setPosixFilePermissions(temp, Files.getPosixFilePermissions(file));
      }
      Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot add " + name + "'s subordinate ids to " + file + ": " + e.getMessage());
    }
  }

  private static SubordinateIds read(Path file) {
    try {
      return SubordinateIds.parse(Files.readString(file, StandardCharsets.UTF_8));
    } catch (NoSuchFileException e) {
      return SubordinateIds.parse("");
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read " + file + " (--userns-remap): " + e.getMessage());
    }
  }

  private static boolean isNumber(String s) {
    return !s.isEmpty() && s.chars().allMatch(Character::isDigit);
  }
}

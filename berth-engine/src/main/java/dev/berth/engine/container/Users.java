package dev.berth.engine.container;

import dev.berth.engine.BerthException;
import dev.berth.engine.runtime.spec.User;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Resolves Docker's {@code --user} (name, uid, name:group, uid:gid) against the container's own
 * /etc/passwd and /etc/group, as runc's user lookup does in Docker.
 */
public final class Users {
  private Users() {}

  /**
   * As {@link #resolve(String, List, List)}, plus --group-add: each name looked up in the
   * container's /etc/group, numbers taken as they are.
   */
  public static User resolve(String spec, List<String> groupAdd, List<String> passwd, List<String> group) {
    User u = resolve(spec, passwd, group);
    if (groupAdd.isEmpty()) {
      return u;
    }
    List<Integer> extra = new ArrayList<>(u.additionalGids() == null ? List.of() : u.additionalGids());
    for (String g : groupAdd) {
      String[] entry = find(group, g);
      int id;
      if (entry != null) {
        id = Integer.parseInt(entry[2]);
      } else if (g.matches("\\d+")) {
        id = Integer.parseInt(g);
      } else {
        throw new BerthException.InvalidArgument("unable to find group " + g + ": no matching entries in group file");
      }
      if (!extra.contains(id)) {
        extra.add(id);
      }
    }
    return new User(u.uid(), u.gid(), List.copyOf(extra), u.umask());
  }

  /**
   * A user spec: name, uid, name:group or uid:gid (as {@code docker run -u}). The process's groups
   * are its primary group, plus the /etc/group memberships of its passwd entry when the spec has
   * no group part. An empty group part ("1000:") keeps the passwd entry's primary group without
   * those memberships (CRI's Strict supplemental-groups policy).
   */
  public static User resolve(String spec, List<String> passwd, List<String> group) {
    if (spec == null || spec.isEmpty()) {
      spec = "0";
    }
    String userPart = spec.contains(":") ? spec.substring(0, spec.indexOf(':')) : spec;
    String groupPart = spec.contains(":") ? spec.substring(spec.indexOf(':') + 1) : null;
    int uid;
    int gid;
    String userName = null;
    String[] entry = find(passwd, userPart);
    if (entry != null) {
      uid = Integer.parseInt(entry[2]);
      gid = Integer.parseInt(entry[3]);
      userName = entry[0];
    } else if (userPart.matches("\\d+")) {
      uid = Integer.parseInt(userPart);
      gid = 0;
    } else {
      throw new BerthException.InvalidArgument("unable to find user " + userPart
          + ": no matching entries in passwd file");
    }
    if (groupPart != null && !groupPart.isEmpty()) {
      String[] g = find(group, groupPart);
      if (g != null) {
        gid = Integer.parseInt(g[2]);
      } else if (groupPart.matches("\\d+")) {
        gid = Integer.parseInt(groupPart);
      } else {
        throw new BerthException.InvalidArgument("unable to find group " + groupPart
            + ": no matching entries in group file");
      }
    }
    // As Docker's processes: the primary group is a supplementary one too (`id` lists it in groups=).
    List<Integer> extra = new ArrayList<>(List.of(gid));
    if (userName != null && groupPart == null) {
      for (String line : group) {
        String[] g = line.split(":", -1);
        if (g.length >= 4 && List.of(g[3].split(",")).contains(userName) && g[2].matches("\\d+")) {
          int id = Integer.parseInt(g[2]);
          if (id != gid && !extra.contains(id)) {
            extra.add(id);
          }
        }
      }
    }
    return new User(uid, gid, List.copyOf(extra), null);
  }

  /** The passwd or group entry named (or numbered) {@code key}; null if none. */
  private static String[] find(List<String> lines, String key) {
    for (String line : lines) {
      String[] f = line.split(":", -1);
      if (f.length >= 4 && !line.startsWith("#") && (f[0].equals(key) || f[2].equals(key)) && f[2].matches("\\d+")) {
        return f;
      }
    }
    return null;
  }

  /** Lines of {@code rootfs/etc/<file>}, empty when absent; never follows a link out of the rootfs. */
  static List<String> readEtc(Path rootfs, String file) {
    Path p = rootfs.resolve("etc").resolve(file);
    try {
      if (Files.isSymbolicLink(p) || !Files.isRegularFile(p)) {
        return List.of();
      }
      return Files.readAllLines(p);
    } catch (IOException e) {
      return List.of();
    }
  }
}

package dev.berth.engine.build;

import dev.berth.engine.filesystem.RootfsPath;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code --chown=user:group} as Docker reads it: names are looked up in the destination image's
 * /etc/passwd and /etc/group, numbers taken as they are, and a user without a group gets the
 * group numbered like the user (Docker's rule, not the user's primary group).
 */
final class Owners {
  private Owners() {}

  static CopyFiles.Owner resolve(String chown, Path rootfs) throws IOException {
    if (chown == null || chown.isEmpty()) {
      return CopyFiles.Owner.ROOT;
    }
    String user = chown.contains(":") ? chown.substring(0, chown.indexOf(':')) : chown;
    String group = chown.contains(":") ? chown.substring(chown.indexOf(':') + 1) : user;
    int uid = lookup(user, rootfs, "passwd", "uid", "user");
    int gid = group.equals(user) && !chown.contains(":") ? uid : lookup(group, rootfs, "group", "gid", "group");
    return new CopyFiles.Owner(uid, gid);
  }

  private static int lookup(String name, Path rootfs, String file, String what, String kind) throws IOException {
    if (name.matches("\\d+")) {
      return Integer.parseInt(name);
    }
    Path etc = RootfsPath.resolve(rootfs, "/etc/" + file, true);
    List<String> lines = Files.isRegularFile(etc) ? Files.readAllLines(etc, StandardCharsets.UTF_8) : List.of();
    for (String line : lines) {
      String[] f = line.split(":", -1);
      if (f.length >= 3 && f[0].equals(name) && f[2].matches("\\d+")) {
        return Integer.parseInt(f[2]);
      }
    }
    throw new BuildException("unable to convert uid/gid chown string to host mapping: can't find " + what + " for "
        + kind + " " + name + ": no such " + kind + ": " + name);
  }
}

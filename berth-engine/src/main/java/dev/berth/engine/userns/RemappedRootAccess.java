package dev.berth.engine.userns;

import dev.berth.engine.BerthException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The remapped root must pass through every directory above the data-root (runc opens a
 * container's rootfs and /etc files as that user): dockerd checks this at start, with these words
 * (and the directory named).
 */
public final class RemappedRootAccess {
  private RemappedRootAccess() {}

  public static void check(Path dataRoot, Remapping r) {
    // "/" too, which dockerd skips: a root directory without o+x (seen on a test machine) fails
    // every remapped container's start with "open /proc/self/mountinfo: permission denied"
    for (Path dir = dataRoot.toAbsolutePath().getParent(); dir != null; dir = dir.getParent()) {
      if (!canSearch(dir, r.rootUid(), r.rootGid())) {
        throw new BerthException.Unavailable("a subdirectory in your graphroot path (" + dataRoot + ") restricts "
            + "access to the remapped root uid/gid; please fix by allowing 'o+x' permissions on existing directories"
            + " (" + dir + ")");
      }
    }
  }

  static boolean canSearch(Path dir, int uid, int gid) {
    try {
      int mode = (Integer) Files.getAttribute(dir, "unix:mode");
      int owner = (Integer) Files.getAttribute(dir, "unix:uid");
      int group = (Integer) Files.getAttribute(dir, "unix:gid");
      return (mode & 01) != 0 || (owner == uid && (mode & 0100) != 0) || (group == gid && (mode & 010) != 0);
    } catch (IOException e) {
      return false;
    }
  }
}

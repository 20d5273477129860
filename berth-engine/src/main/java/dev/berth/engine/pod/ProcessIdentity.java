package dev.berth.engine.pod;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The real uid, gid and supplementary groups of a running process, from {@code /proc/PID/status}:
 * what CRI's ContainerStatus.user reports for a container's first process (the groups the kernel
 * holds, sorted, after runc set them from the spec).
 */
record ProcessIdentity(long uid, long gid, List<Long> groups) {
  ProcessIdentity {
    groups = List.copyOf(groups);
  }

  static Optional<ProcessIdentity> of(int pid) {
    try {
      return parse(Files.readAllLines(Path.of("/proc", Integer.toString(pid), "status")));
    } catch (IOException | RuntimeException e) {
      return Optional.empty(); // the process is gone
    }
  }

  /** "Uid:\treal\teffective\tsaved\tfs", "Gid:" likewise, "Groups:\tg1 g2 " (may be empty). */
  static Optional<ProcessIdentity> parse(List<String> statusLines) {
    Long uid = null;
    Long gid = null;
    List<Long> groups = null;
    for (String line : statusLines) {
      if (line.startsWith("Uid:")) {
        uid = Long.parseLong(line.substring(4).strip().split("\\s+")[0]);
      } else if (line.startsWith("Gid:")) {
        gid = Long.parseLong(line.substring(4).strip().split("\\s+")[0]);
      } else if (line.startsWith("Groups:")) {
        groups = new ArrayList<>();
        for (String g : line.substring(7).strip().split("\\s+")) {
          if (!g.isEmpty()) {
            groups.add(Long.parseLong(g));
          }
        }
      }
    }
    return uid == null || gid == null || groups == null ? Optional.empty()
        : Optional.of(new ProcessIdentity(uid, gid, groups));
  }
}

package dev.berth.testkit;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The last resort after a failed test class: what a test's daemon left under its temp dir must
 * not outlive the class, nor keep JUnit from deleting the dir.
 */
public final class Leftovers {
  private Leftovers() {}

  /** Kills the conmon processes whose command line names {@code dir} and lazily unmounts every mount under it. */
  public static void removeUnder(Path dir) {
    ProcessHandle.allProcesses().forEach(p -> p.info().commandLine().ifPresent(cmd -> {
      if (cmd.contains("conmon") && cmd.contains(dir.toString())) {
        p.destroyForcibly();
      }
    }));
    for (String m : mountsUnder(dir)) {
      Commands.run(List.of("umount", "-l", m), Duration.ofSeconds(10));
    }
  }

  /** The mount points at or below {@code root}, deepest last as findmnt lists them. */
  public static List<String> mountsUnder(Path root) {
    return Commands.run(List.of("findmnt", "-rn", "-o", "TARGET"), Duration.ofSeconds(10)).stdout().lines()
        .filter(l -> l.startsWith(root.toString())).toList();
  }
}

package dev.berth.testkit;

import java.nio.file.Files;
import java.nio.file.Path;

/** Finds the repository root, where bin/berthd and bin/berth live. */
public final class Repo {
  private Repo() {}

  public static Path root() {
    String configured = System.getProperty("berth.root");
    if (configured != null && Files.isExecutable(Path.of(configured, "bin", "berthd"))) {
      return Path.of(configured).toAbsolutePath();
    }
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      if (Files.isExecutable(p.resolve("bin/berthd"))) {
        return p;
      }
    }
    throw new IllegalStateException("cannot find the Berth repository (bin/berthd) from " + Path.of("").toAbsolutePath()
        + "; set -Dberth.root");
  }
}

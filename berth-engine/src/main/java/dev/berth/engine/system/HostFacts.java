package dev.berth.engine.system;

import dev.berth.engine.sys.CgroupLayout;
import dev.berth.engine.sys.OsRelease;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;

/** What the host is: read once at start, shown by {@code info} and {@code version}. */
public record HostFacts(
    String hostname,
    String kernelVersion,
    String operatingSystem,
    String osVersion,
    String architecture,
    int cpus,
    long memTotalBytes,
    CgroupLayout cgroupLayout) {

  public static HostFacts probe() {
    OsRelease os = OsRelease.read(Files.exists(Path.of("/etc/os-release"))
        ? Path.of("/etc/os-release") : Path.of("/usr/lib/os-release"));
    return new HostFacts(
        readHostname(),
        firstLine(Path.of("/proc/sys/kernel/osrelease"), System.getProperty("os.version")),
        os.prettyName(),
        os.versionId(),
        unameArch(System.getProperty("os.arch")),
        Runtime.getRuntime().availableProcessors(),
        memTotal(Path.of("/proc/meminfo")),
        CgroupLayout.detect(Path.of("/sys/fs/cgroup")));
  }

  /** Docker reports uname's machine name (x86_64), while the JDK says amd64. */
  static String unameArch(String javaArch) {
    return switch (javaArch) {
      case "amd64" -> "x86_64";
      case "arm64" -> "aarch64";
      default -> javaArch;
    };
  }

  /** Go's GOARCH spelling, used by the API's Arch fields and image platforms. */
  public String goArch() {
    return switch (architecture) {
      case "x86_64" -> "amd64";
      case "aarch64" -> "arm64";
      default -> architecture;
    };
  }

  static long memTotal(Path meminfo) {
    try {
      for (String line : Files.readAllLines(meminfo)) {
        if (line.startsWith("MemTotal:")) {
          String[] parts = line.split("\\s+");
          return Long.parseLong(parts[1]) * 1024;
        }
      }
    } catch (IOException | NumberFormatException e) {
      // fall through: the JVM's view is a fair second best
    }
    return Runtime.getRuntime().maxMemory();
  }

  private static String firstLine(Path file, String fallback) {
    try {
      return Files.readAllLines(file).getFirst().strip();
    } catch (IOException | java.util.NoSuchElementException e) {
      return fallback;
    }
  }

  private static String readHostname() {
    String fromKernel = firstLine(Path.of("/proc/sys/kernel/hostname"), "");
    if (!fromKernel.isEmpty()) {
      return fromKernel;
    }
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return "localhost";
    }
  }
}

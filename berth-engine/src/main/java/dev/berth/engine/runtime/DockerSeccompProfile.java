package dev.berth.engine.runtime;

import dev.berth.engine.BerthException;
import dev.berth.engine.runtime.spec.Seccomp;
import dev.berth.engine.runtime.spec.SpecJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * A seccomp profile in Docker's format (moby's {@code profiles/seccomp/default.json}, the file
 * {@code docker run --security-opt seccomp=FILE} takes, containers-common's seccomp.json): rules
 * carry {@code includes}/{@code excludes} conditions on architecture, capabilities and kernel that
 * the engine resolves per container, as moby's {@code setupSeccomp} does, into the OCI form.
 */
public record DockerSeccompProfile(
    String defaultAction,
    Integer defaultErrnoRet,
    List<ArchMap> archMap,
    List<String> architectures,
    List<String> flags,
    List<Rule> syscalls) {

  /** Where containers-common installs its copy of Docker's default profile. */
  public static final Path CONTAINERS_COMMON = Path.of("/usr/share/containers/seccomp.json");

  public record ArchMap(String architecture, List<String> subArchitectures) {}

  public record Rule(
      String name,
      List<String> names,
      String action,
      Integer errnoRet,
      List<Seccomp.Arg> args,
      Filter includes,
      Filter excludes) {}

  /** A rule applies only with (includes) or without (excludes) these. */
  public record Filter(List<String> arches, List<String> caps, String minKernel) {}

  /**
   * containers-common's copy of Docker's default profile when the host has it. Berth does not
   * ship moby's default.json yet; without a profile, containers run without a seccomp filter.
   */
  public static java.util.Optional<DockerSeccompProfile> installedDefault() {
    return Files.isRegularFile(CONTAINERS_COMMON)
        ? java.util.Optional.of(read(CONTAINERS_COMMON))
        : java.util.Optional.empty();
  }

  /**
   * This profile without one architecture, for one the kernel cannot run: its syscalls then meet
   * the filter's default action, which refuses them as the kernel itself does.
   */
  public DockerSeccompProfile withoutArchitecture(String scmpArch) {
    List<ArchMap> maps = archMap == null ? null : archMap.stream()
        .map(m -> new ArchMap(m.architecture(), m.subArchitectures() == null ? null
            : m.subArchitectures().stream().filter(a -> !a.equals(scmpArch)).toList()))
        .toList();
    List<String> arches = architectures == null ? null
        : architectures.stream().filter(a -> !a.equals(scmpArch)).toList();
    return new DockerSeccompProfile(defaultAction, defaultErrnoRet, maps, arches, flags, syscalls);
  }

  public static DockerSeccompProfile read(Path file) {
    try {
      return SpecJson.read(Files.readAllBytes(file), DockerSeccompProfile.class);
    } catch (IOException | RuntimeException e) {
      throw new BerthException.InvalidArgument("cannot read seccomp profile " + file + ": " + e.getMessage(), e);
    }
  }

  /**
   * The OCI filter for a container.
   *
   * @param arch the host's architecture as the JVM names it ({@code os.arch}: amd64, aarch64)
   * @param capabilities the container's bounding set, {@code CAP_} prefixed
   * @param kernel the host's kernel release ({@code os.version}, e.g. 6.18.44)
   */
  public Seccomp toOci(String arch, Collection<String> capabilities, String kernel) {
    String scmpArch = scmpArch(arch);
    List<String> arches = new ArrayList<>();
    if (archMap != null) {
      for (ArchMap m : archMap) {
        if (m.architecture().equals(scmpArch)) {
          arches.add(m.architecture());
          arches.addAll(m.subArchitectures() == null ? List.of() : m.subArchitectures());
        }
      }
    } else if (architectures != null) {
      arches.addAll(architectures);
    }
    List<Seccomp.Syscall> rules = new ArrayList<>();
    for (Rule rule : syscalls == null ? List.<Rule>of() : syscalls) {
      if (!applies(rule, scmpArch, capabilities, kernel)) {
        continue;
      }
      List<String> names = rule.names() != null && !rule.names().isEmpty() ? rule.names() : List.of(rule.name());
      rules.add(new Seccomp.Syscall(names, rule.action(), rule.errnoRet(), emptyToNull(rule.args())));
    }
    return new Seccomp(defaultAction, defaultErrnoRet, arches.isEmpty() ? null : arches, flags, rules);
  }

  private static boolean applies(Rule rule, String scmpArch, Collection<String> caps, String kernel) {
    Filter ex = rule.excludes();
    if (ex != null) {
      if (ex.arches() != null && ex.arches().contains(archAlias(scmpArch))) {
        return false;
      }
      if (ex.caps() != null && ex.caps().stream().anyMatch(caps::contains)) {
        return false;
      }
      if (ex.minKernel() != null && compareKernel(kernel, ex.minKernel()) >= 0) {
        return false;
      }
    }
    Filter in = rule.includes();
    if (in != null) {
      if (in.arches() != null && !in.arches().isEmpty() && !in.arches().contains(archAlias(scmpArch))) {
        return false;
      }
      if (in.caps() != null && !caps.containsAll(in.caps())) {
        return false;
      }
      if (in.minKernel() != null && compareKernel(kernel, in.minKernel()) < 0) {
        return false;
      }
    }
    return true;
  }

  static String scmpArch(String javaArch) {
    return switch (javaArch) {
      case "amd64", "x86_64" -> "SCMP_ARCH_X86_64";
      case "aarch64", "arm64" -> "SCMP_ARCH_AARCH64";
      case "x86", "i386", "i686" -> "SCMP_ARCH_X86";
      case "arm" -> "SCMP_ARCH_ARM";
      case "ppc64le" -> "SCMP_ARCH_PPC64LE";
      case "s390x" -> "SCMP_ARCH_S390X";
      case "riscv64" -> "SCMP_ARCH_RISCV64";
      default -> throw new BerthException.Unavailable("no seccomp architecture known for " + javaArch);
    };
  }

  /** Profiles name architectures in includes/excludes the Go way (amd64, arm64...). */
  private static String archAlias(String scmpArch) {
    return switch (scmpArch) {
      case "SCMP_ARCH_X86_64" -> "amd64";
      case "SCMP_ARCH_AARCH64" -> "arm64";
      case "SCMP_ARCH_X86" -> "386";
      case "SCMP_ARCH_ARM" -> "arm";
      case "SCMP_ARCH_PPC64LE" -> "ppc64le";
      case "SCMP_ARCH_S390X" -> "s390x";
      case "SCMP_ARCH_RISCV64" -> "riscv64";
      default -> scmpArch;
    };
  }

  /** Compares "major.minor[.patch...]" prefixes numerically; suffixes like "-fc-v657" are ignored. */
  static int compareKernel(String release, String wanted) {
    int[] a = kernelParts(release);
    int[] b = kernelParts(wanted);
    for (int i = 0; i < 2; i++) {
      if (a[i] != b[i]) {
        return Integer.compare(a[i], b[i]);
      }
    }
    return 0;
  }

  private static int[] kernelParts(String version) {
    String[] parts = version.split("[.-]");
    int[] out = new int[2];
    for (int i = 0; i < 2 && i < parts.length; i++) {
      try {
        out[i] = Integer.parseInt(parts[i].replaceAll("\\D.*$", ""));
      } catch (NumberFormatException e) {
        out[i] = 0;
      }
    }
    return out;
  }

  private static <T> List<T> emptyToNull(List<T> list) {
    return list == null || list.isEmpty() ? null : list;
  }
}

package dev.berth.engine.runtime;

import dev.berth.engine.runtime.spec.DeviceRule;
import dev.berth.engine.runtime.spec.Mount;
import dev.berth.engine.runtime.spec.Namespace;
import dev.berth.engine.runtime.spec.Rlimit;
import java.util.List;

/**
 * Docker's security and filesystem defaults for a container spec (moby's
 * {@code oci.DefaultLinuxSpec} and {@code oci.DefaultCapabilities}), as input for
 * {@link SpecBuilder}.
 */
public final class SpecDefaults {
  private SpecDefaults() {}

  /** Docker's 14 default capabilities. */
  public static final List<String> CAPABILITIES =
      List.of(
          "CAP_CHOWN",
          "CAP_DAC_OVERRIDE",
          "CAP_FSETID",
          "CAP_FOWNER",
          "CAP_MKNOD",
          "CAP_NET_RAW",
          "CAP_SETGID",
          "CAP_SETUID",
          "CAP_SETFCAP",
          "CAP_SETPCAP",
          "CAP_NET_BIND_SERVICE",
          "CAP_SYS_CHROOT",
          "CAP_KILL",
          "CAP_AUDIT_WRITE");

  /** Paths the runtime hides (bind-mounts /dev/null or an empty read-only tmpfs over them). */
  public static final List<String> MASKED_PATHS =
      List.of(
          "/proc/asound",
          "/proc/acpi",
          "/proc/kcore",
          "/proc/keys",
          "/proc/latency_stats",
          "/proc/timer_list",
          "/proc/timer_stats",
          "/proc/sched_debug",
          "/proc/scsi",
          "/sys/firmware",
          "/sys/devices/virtual/powercap");

  /** Paths the runtime remounts read-only. */
  public static final List<String> READONLY_PATHS =
      List.of("/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger");

  /** Docker's default PATH for images that set none. */
  public static final String PATH_ENV =
      "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

  /** /dev/shm size when the caller sets none: Docker's 64 MiB. */
  public static final long SHM_SIZE_BYTES = 64L * 1024 * 1024;

  /** What Docker containers get for open files (dockerd's own limit on common systems). */
  public static final long NOFILE_WANTED = 1_048_576L;

  /** The kernel filesystems every container gets. */
  public static List<Mount> mounts(long shmSizeBytes) {
    return List.of(
        new Mount("/proc", "proc", "proc", List.of("nosuid", "noexec", "nodev")),
        new Mount("/dev", "tmpfs", "tmpfs", List.of("nosuid", "strictatime", "mode=755", "size=65536k")),
        new Mount(
            "/dev/pts",
            "devpts",
            "devpts",
            List.of("nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5")),
        new Mount(
            "/dev/shm",
            "tmpfs",
            "shm",
            List.of("nosuid", "noexec", "nodev", "mode=1777", "size=" + shmSizeBytes / 1024 + "k")),
        new Mount("/dev/mqueue", "mqueue", "mqueue", List.of("nosuid", "noexec", "nodev")),
        new Mount("/sys", "sysfs", "sysfs", List.of("nosuid", "noexec", "nodev", "ro")),
        new Mount("/sys/fs/cgroup", "cgroup", "cgroup", List.of("ro", "nosuid", "noexec", "nodev")));
  }

  /**
   * Docker's devices-cgroup rules: deny everything, then allow the standard character devices
   * (zero, null, urandom, random, tty, console) and keep fuse denied. runc appends its own
   * always-allowed rules (mknod of any device, /dev/pts/*, /dev/ptmx) after these.
   */
  public static List<DeviceRule> deviceRules() {
    return List.of(
        DeviceRule.denyAll(),
        DeviceRule.allowChar(1, 5),
        DeviceRule.allowChar(1, 3),
        DeviceRule.allowChar(1, 9),
        DeviceRule.allowChar(1, 8),
        DeviceRule.allowChar(5, 0),
        DeviceRule.allowChar(5, 1),
        new DeviceRule(false, "c", 10L, 229L, "rwm"));
  }

  /** New namespaces for everything but user and cgroup, as Docker on cgroup v1. */
  public static List<Namespace> namespaces() {
    return List.of(
        Namespace.create("mount"),
        Namespace.create("network"),
        Namespace.create("uts"),
        Namespace.create("pid"),
        Namespace.create("ipc"));
  }

  /**
   * RLIMIT_NOFILE as wanted, but never above the host's hard limit: raising it needs
   * CAP_SYS_RESOURCE, which some hosts (ours) lack, and runc then fails to start the container.
   */
  public static Rlimit nofile(long wanted, long hostHard) {
    long value = Math.min(wanted, hostHard);
    return new Rlimit("RLIMIT_NOFILE", value, value);
  }
}

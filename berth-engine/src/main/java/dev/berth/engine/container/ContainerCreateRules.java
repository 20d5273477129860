package dev.berth.engine.container;

import dev.berth.engine.BerthException;
import dev.berth.engine.image.ImageConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** What create checks and derives before a container exists: limits, the image's defaults merged in, /etc files. */
final class ContainerCreateRules {
  private static final long MIN_MEMORY = 6L * 1024 * 1024;

  private ContainerCreateRules() {}

  static void validateLimits(ContainerConfig c) {
    c.restartPolicy().validated(c.autoRemove());
    validateHealthcheck(c.healthcheck());
    if (c.memory() != 0 && c.memory() < MIN_MEMORY) {
      throw new BerthException.InvalidArgument("invalid --memory: Minimum memory limit allowed is 6MB");
    }
    if (c.memorySwap() > 0 && c.memory() > 0 && c.memorySwap() < c.memory()) {
      throw new BerthException.InvalidArgument(
          "invalid --memory-swap: Minimum memoryswap limit should be larger than memory limit, see usage");
    }
    if (c.memorySwap() > 0 && c.memory() == 0) {
      throw new BerthException.InvalidArgument("invalid --memory-swap: you should always set the memory limit when"
          + " using memoryswap limit, see usage");
    }
    int cpus = Runtime.getRuntime().availableProcessors();
    if (c.nanoCpus() < 0 || c.nanoCpus() > cpus * 1_000_000_000L) {
      throw new BerthException.InvalidArgument("invalid --cpus: Range of CPUs is from 0.01 to " + cpus
          + ".00, as there are only " + cpus + " CPUs available");
    }
    if (c.cpuShares() < 0) {
      throw new BerthException.InvalidArgument("invalid --cpu-shares: " + c.cpuShares() + " is negative");
    }
    if (c.cpusetCpus() != null && !c.cpusetCpus().isEmpty() && !c.cpusetCpus().matches("[0-9]+([-,][0-9]+)*")) {
      throw new BerthException.InvalidArgument("invalid --cpuset-cpus: " + c.cpusetCpus());
    }
    for (ContainerConfig.Ulimit u : c.ulimits()) {
      if (u.soft() > u.hard() || u.soft() < 0) {
        throw new BerthException.InvalidArgument("invalid --ulimit " + u.name() + ": soft limit " + u.soft()
            + " must be between 0 and the hard limit " + u.hard());
      }
    }
  }

  /** dockerd's checks of Config.Healthcheck (durations at least 1ms when set, retries not negative). */
  static void validateHealthcheck(Healthcheck h) {
    if (h == null) {
      return;
    }
    long minimum = 1_000_000;
    for (var field : List.of(Map.entry("Interval", h.interval()), Map.entry("Timeout", h.timeout()),
        Map.entry("StartPeriod", h.startPeriod()), Map.entry("StartInterval", h.startInterval()))) {
      if (field.getValue() != 0 && field.getValue() < minimum) {
        throw new BerthException.InvalidArgument(field.getKey() + " in Healthcheck cannot be less than 1ms");
      }
    }
    if (h.retries() < 0) {
      throw new BerthException.InvalidArgument("Retries in Healthcheck cannot be negative");
    }
  }

  /** Docker's merge of the image's run config into the container's. */
  static ContainerConfig merge(ContainerConfig c, ImageConfig.RunConfig img) {
    ImageConfig.RunConfig i = img == null
        ? new ImageConfig.RunConfig(null, null, null, null, null, null, null, null, null, null, null, null, null, null)
        : img;
    List<String> entrypoint = c.entrypoint() != null ? c.entrypoint() : i.entrypoint();
    List<String> cmd = c.cmd() != null && !c.cmd().isEmpty() ? c.cmd()
        : c.entrypoint() != null ? List.of() : i.cmd();
    List<String> env = new ArrayList<>(i.env() == null ? List.of() : i.env());
    for (String e : c.env()) {
      String key = e.contains("=") ? e.substring(0, e.indexOf('=') + 1) : e + "=";
      env.removeIf(x -> x.startsWith(key) || x.equals(key.substring(0, key.length() - 1)));
      env.add(e);
    }
    Map<String, String> labels = new LinkedHashMap<>(i.labels() == null ? Map.of() : i.labels());
    labels.putAll(c.labels());
    return c.withMerged(entrypoint == null ? List.of() : entrypoint, cmd == null ? List.of() : cmd, env,
        !c.workingDir().isEmpty() ? c.workingDir() : i.workingDir() == null ? "" : i.workingDir(),
        user(c.user(), i.user()), labels,
        c.stopSignal() != null && !c.stopSignal().isEmpty() ? c.stopSignal()
            : i.stopSignal() != null ? i.stopSignal() : "SIGTERM",
        c.stopTimeout() != null ? c.stopTimeout() : i.stopTimeout())
        .withHealthcheck(Healthcheck.merge(c.healthcheck(), imageHealthcheck(i.healthcheck())));
  }

  private static Healthcheck imageHealthcheck(ImageConfig.Healthcheck h) {
    return h == null ? null : new Healthcheck(h.test(), zeroIfNull(h.interval()), zeroIfNull(h.timeout()),
        zeroIfNull(h.startPeriod()), zeroIfNull(h.startInterval()), h.retries() == null ? 0 : h.retries());
  }

  private static long zeroIfNull(Long v) {
    return v == null ? 0 : v;
  }

  static void writeEtcFiles(Path dir, ContainerConfig c, Optional<String> hostGateway) throws IOException {
    boolean hostNet = c.networkMode().equals("host");
    String host = hostNet || c.host().utsMode().equals("host") ? hostHostname() : c.hostname();
    Files.writeString(dir.resolve("hostname"), host + "\n");
    Files.writeString(dir.resolve("hosts"), EtcFileContents.hosts(c, host,
        hostNet ? Optional.empty() : Optional.of("127.0.0.1"), hostGateway));
    List<String> hostResolv = List.of(); // none on the host: the container gets an empty one, as Docker does
    try {
      hostResolv = Files.readAllLines(Path.of("/etc/resolv.conf"));
    } catch (IOException e) {
      // as said
    }
    Files.writeString(dir.resolve("resolv.conf"), EtcFileContents.resolvConf(c, hostResolv, Optional.empty(), !hostNet));
  }

  private static String hostHostname() {
    try {
      return Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
    } catch (IOException e) {
      return "localhost";
    }
  }

  /**
   * The container's user, else the image's. A user of ":" alone (a pod's Strict supplemental-groups
   * policy without run_as_user) is the image's user with an empty group part, which keeps the
   * passwd entry's primary group and none of /etc/group's memberships ({@link Users#resolve}).
   */
  static String user(String container, String image) {
    String fromImage = image == null ? "" : image;
    if (container.equals(":")) {
      return fromImage.contains(":") ? fromImage : (fromImage.isEmpty() ? "0" : fromImage) + ":";
    }
    return !container.isEmpty() ? container : fromImage;
  }
}

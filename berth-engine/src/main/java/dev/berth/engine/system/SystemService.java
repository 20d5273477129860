package dev.berth.engine.system;

import dev.berth.engine.BerthVersion;
import dev.berth.engine.EngineConfig;
import dev.berth.engine.state.StateStore;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.function.IntSupplier;

/** Answers what the daemon is and runs on: the engine side of {@code version} and {@code info}. */
public final class SystemService {
  private final EngineConfig config;
  private final StateStore state;
  private final HostFacts host;
  private final String daemonId;
  private volatile IntSupplier imageCount = () -> 0;
  private volatile java.util.function.Supplier<java.util.List<String>> containerStatuses = java.util.List::of;
  private volatile java.util.function.Supplier<java.util.List<dev.berth.engine.runtime.ProbedRuntime>> runtimes =
      java.util.List::of;
  private volatile java.util.function.Supplier<java.util.Optional<String>> defaultRuntime = java.util.Optional::empty;

  public SystemService(EngineConfig config, StateStore state, HostFacts host) {
    this.config = config;
    this.state = state;
    this.host = host;
    this.daemonId = state.metaIfAbsent("daemon_id", newId());
  }

  /** Wired by the engine once the image store is open. */
  public void countImagesWith(IntSupplier imageCount) {
    this.imageCount = imageCount;
  }

  /** Wired by the engine: each container's status, for the counts in info. */
  public void countContainersWith(java.util.function.Supplier<java.util.List<String>> statuses) {
    this.containerStatuses = statuses;
  }

  /** Wired by the engine: the probed runtimes and the one in use. */
  public void runtimesFrom(java.util.function.Supplier<java.util.List<dev.berth.engine.runtime.ProbedRuntime>> runtimes,
      java.util.function.Supplier<java.util.Optional<String>> defaultRuntime) {
    this.runtimes = runtimes;
    this.defaultRuntime = defaultRuntime;
  }

  public java.util.List<dev.berth.engine.runtime.ProbedRuntime> runtimes() {
    return runtimes.get();
  }

  public java.util.Optional<String> defaultRuntime() {
    return defaultRuntime.get();
  }

  /** Whether containers run in a user namespace by default ({@code --userns-remap}). */
  public boolean usernsRemap() {
    return config.remapping() != null;
  }

  public HostFacts host() {
    return host;
  }

  public String daemonId() {
    return daemonId;
  }

  /** The registry mirrors pulls use ({@code RegistryConfig} in {@code /info}). */
  public dev.berth.engine.image.registry.RegistryMirrors registryMirrors() {
    return config.mirrors();
  }

  public SystemInfo info() {
    return new SystemInfo(daemonId, BerthVersion.version(), config.dataRoot(), config.execRoot(),
        state.schemaVersion(), host, counts());
  }

  private SystemInfo.Counts counts() {
    java.util.List<String> s = containerStatuses.get();
    int running = (int) s.stream().filter("running"::equals).count();
    int paused = (int) s.stream().filter("paused"::equals).count();
    return new SystemInfo.Counts(s.size(), running, paused, s.size() - running - paused, imageCount.getAsInt());
  }

  private static String newId() {
    byte[] bytes = new byte[32];
    new SecureRandom().nextBytes(bytes);
    return HexFormat.of().formatHex(bytes);
  }
}

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

  public HostFacts host() {
    return host;
  }

  public String daemonId() {
    return daemonId;
  }

  public SystemInfo info() {
    return new SystemInfo(daemonId, BerthVersion.version(), config.dataRoot(), config.execRoot(),
        state.schemaVersion(), host, new SystemInfo.Counts(0, 0, 0, 0, imageCount.getAsInt()));
  }

  private static String newId() {
    byte[] bytes = new byte[32];
    new SecureRandom().nextBytes(bytes);
    return HexFormat.of().formatHex(bytes);
  }
}

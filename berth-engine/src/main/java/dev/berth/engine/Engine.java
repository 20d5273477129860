package dev.berth.engine;

import dev.berth.engine.state.StateStore;
import dev.berth.engine.system.HostFacts;
import dev.berth.engine.system.SystemService;
import dev.berth.engine.vm.VmService;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * The engine as one object: opens the state and wires the services. The daemon holds one;
 * tests can hold one on temp dirs. It knows nothing of HTTP.
 */
public final class Engine implements AutoCloseable {
  private final EngineConfig config;
  private final StateStore state;
  private final SystemService system;
  private final VmService vms;

  private Engine(EngineConfig config, StateStore state, SystemService system, VmService vms) {
    this.config = config;
    this.state = state;
    this.system = system;
    this.vms = vms;
  }

  public static Engine open(EngineConfig config) {
    createPrivateDir(config.dataRoot());
    createPrivateDir(config.execRoot());
    StateStore state = StateStore.open(config.dataRoot().resolve("berth.db"));
    try {
      VmService vms = new VmService(config, state);
      vms.reconcile();
      return new Engine(config, state, new SystemService(config, state, HostFacts.probe()), vms);
    } catch (RuntimeException e) {
      state.close();
      throw e;
    }
  }

  /** Creates {@code dir} (0711 like Docker's roots: others may traverse, not list). */
  static void createPrivateDir(Path dir) {
    try {
      Files.createDirectories(dir);
      Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx--x--x"));
    } catch (IOException e) {
      throw new BerthException.Unavailable("cannot create " + dir + ": " + e.getMessage()
          + "; check the path and its permissions");
    }
  }

  public EngineConfig config() {
    return config;
  }

  public SystemService system() {
    return system;
  }

  public StateStore state() {
    return state;
  }

  public VmService vms() {
    return vms;
  }

  @Override
  public void close() {
    vms.close();
    state.close();
  }
}

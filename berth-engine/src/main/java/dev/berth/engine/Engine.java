package dev.berth.engine;

import dev.berth.engine.container.ContainerService;
import dev.berth.engine.content.ContentStore;
import dev.berth.engine.events.EventBus;
import dev.berth.engine.network.CniExecutor;
import dev.berth.engine.network.NetworkDefaults;
import dev.berth.engine.network.NetworkService;
import dev.berth.engine.state.NetworkTable;
import dev.berth.engine.runtime.ProbedRuntime;
import dev.berth.engine.runtime.RuntimeProbe;
import dev.berth.engine.state.ContainerTable;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import dev.berth.engine.image.ImageImporter;
import dev.berth.engine.image.ImagePuller;
import dev.berth.engine.image.ImagePusher;
import dev.berth.engine.image.archive.ImageArchive;
import dev.berth.engine.image.archive.ImageLoader;
import dev.berth.engine.image.ImageService;
import dev.berth.engine.image.layer.LayerStore;
import dev.berth.engine.image.layer.LayerUnpacker;
import dev.berth.engine.image.registry.BasicCredentials;
import dev.berth.engine.image.registry.RegistryClient;
import dev.berth.engine.state.ImageTable;
import dev.berth.engine.state.StateStore;
import dev.berth.engine.system.HostFacts;
import dev.berth.engine.system.SystemService;
import dev.berth.engine.vm.VmService;
import dev.berth.engine.volume.VolumeService;
import dev.berth.engine.state.VolumeTable;
import dev.berth.engine.microvm.MicroVmRuntime;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * The engine as one object: opens the state and wires the services. The daemon holds one;
 * tests can hold one on temp dirs. It knows nothing of HTTP.
 */
public final class Engine implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Engine.class);
  private final EngineConfig config;
  private final StateStore state;
  private final SystemService system;
  private final ImageService images;
  private final Set<String> insecureRegistries;
  private final VmService vms;
  private final ContainerService containers;
  private final VolumeService volumes;
  private final NetworkService networks;
  private dev.berth.engine.build.BuildService builds;
  private dev.berth.engine.pod.PodService pods;

  private Engine(EngineConfig config, StateStore state, SystemService system, ImageService images,
      Set<String> insecureRegistries, VmService vms, ContainerService containers, VolumeService volumes,
      NetworkService networks) {
    this.containers = containers;
    this.volumes = volumes;
    this.networks = networks;
    this.config = config;
    this.state = state;
    this.system = system;
    this.images = images;
    this.insecureRegistries = insecureRegistries;
    this.vms = vms;
  }

  public static Engine open(EngineConfig config) {
    return open(config, Set.of());
  }

  /** Opens the engine; {@code insecureRegistries} may be spoken to over plain HTTP. */
  public static Engine open(EngineConfig config, Set<String> insecureRegistries) {
    return open(config, insecureRegistries, Optional.empty());
  }

  /** As {@link #open(EngineConfig, Set)}, running containers on {@code defaultRuntime} when it works here. */
  public static Engine open(EngineConfig config, Set<String> insecureRegistries, Optional<String> defaultRuntime) {
    return open(config, insecureRegistries, defaultRuntime, NetworkDefaults.defaults(), MicroVmRuntime.Settings.DEFAULTS);
  }

  /**
   * As above, with the daemon's network settings (default bridge, pools, iptables chain prefix)
   * and its settings for --isolation=vm containers (guest kernel, accelerator).
   */
  public static Engine open(EngineConfig config, Set<String> insecureRegistries, Optional<String> defaultRuntime,
      NetworkDefaults networkDefaults, MicroVmRuntime.Settings microVm) {
    createPrivateDir(config.dataRoot());
    createPrivateDir(config.execRoot());
    if (config.remapping() != null) {
      dev.berth.engine.userns.RemappedRootAccess.check(config.dataRoot(), config.remapping());
    }
    clearScratch(config.dataRoot().resolve("tmp"));
    StateStore state = StateStore.open(config.dataRoot().resolve("berth.db"));
    NetworkService networkService = null;
    try {
      ContentStore content = ContentStore.open(config);
      LayerStore layers = LayerStore.open(config.dataRoot(), new LayerUnpacker());
      EventBus events = new EventBus(Clock.systemUTC());
      ImageService images = new ImageService(content, layers, new ImageTable(state), Clock.systemUTC(), events);
      SystemService system = new SystemService(config, state, HostFacts.probe());
      system.countImagesWith(images::count); // one SQL count, not every config read
      VmService vms = new VmService(config, state, events, images);
      ContainerService containers;
      VolumeService volumes = new VolumeService(config.dataRoot().resolve("volumes"), new VolumeTable(state),
          Clock.systemUTC(), events);
      if (config.remapping() != null) {
        volumes.ownNewVolumesBy(config.remapping().rootUid(), config.remapping().rootGid());
      }
      try {
        NetworkService networks = new NetworkService(config, new NetworkTable(state), networkDefaults,
            CniExecutor.system(), Clock.systemUTC(), events);
        networks.open();
        networkService = networks;
        vms.useNetworks(networks);
        vms.reconcile(); // with the networks: a VM that ended meanwhile gives its network back
        containers = openContainers(config, state, images, defaultRuntime, volumes, networks,
            new MicroVmRuntime(config.dataRoot(), config.execRoot(), microVm));
      } catch (RuntimeException e) {
        vms.close(); // its QMP connections; the VMs themselves keep running
        throw e;
      }
      system.countContainersWith(() -> containers.list().stream().map(c -> c.state().status()).toList());
      system.runtimesFrom(containers::runtimes, containers::defaultRuntime);
      Engine engine = new Engine(config, state, system, images, Set.copyOf(insecureRegistries), vms, containers,
          volumes, networkService);
      engine.builds(); // now, so an image prune already spares the build cache's images
      // now, after the containers' reconcile: pod records of containers gone meanwhile are dropped
      try {
        engine.pods = new dev.berth.engine.pod.PodService(config, containers, images, engine.importer());
      } catch (RuntimeException e) {
        containers.close(); // the state store is closed below
        networkService.close();
        vms.close();
        throw e;
      }
      return engine;
    } catch (IOException e) {
      state.close();
      throw new BerthException.Unavailable("cannot open the image store under " + config.dataRoot() + ": "
          + e.getMessage(), e);
    } catch (RuntimeException e) {
      state.close();
      throw e;
    }
  }

  /**
   * Probes the OCI runtimes (a throwaway container each; one that cannot run here is skipped
   * with a log line), then reconciles the containers left by the last berthd.
   */
  private static ContainerService openContainers(EngineConfig config, StateStore state, ImageService images,
      Optional<String> defaultRuntime, VolumeService volumes, NetworkService networks, MicroVmRuntime microVms) {
    List<ProbedRuntime> probed = new RuntimeProbe(config.execRoot().resolve("probe")).probeAll();
    for (ProbedRuntime p : probed) {
      if (p.usable()) {
        LOG.info("OCI runtime {} {} at {}: usable", p.name(), p.version(), p.path());
      } else {
        LOG.warn("OCI runtime {} at {} skipped: {}", p.name(), p.path(), p.reason());
      }
    }
    Path conmon = firstExisting(List.of("/usr/bin/conmon", "/usr/libexec/podman/conmon", "/usr/local/bin/conmon"));
    Path init = firstExisting(List.of("/usr/bin/tini-static", "/usr/bin/tini", "/usr/bin/catatonit"));
    ContainerService containers = new ContainerService(config, new ContainerTable(state), images, probed,
        defaultRuntime, conmon, init, Clock.systemUTC(), volumes, microVms);
    containers.useNetworks(networks);
    containers.reconcile();
    return containers;
  }

  private static Path firstExisting(List<String> candidates) {
    return candidates.stream().map(Path::of).filter(Files::isExecutable).findFirst().orElse(null);
  }

  public ContainerService containers() {
    return containers;
  }

  /** Kubernetes pods (the engine side of CRI). */
  public dev.berth.engine.pod.PodService pods() {
    return pods;
  }

  public VolumeService volumes() {
    return volumes;
  }

  public NetworkService networks() {
    return networks;
  }

  public ImageService images() {
    return images;
  }

  /** The engine's events (containers, images, networks, volumes), for {@code /events}. */
  public dev.berth.engine.events.EventBus events() {
    return images.events();
  }

  public dev.berth.engine.container.ContainerFiles containerFiles() {
    return new dev.berth.engine.container.ContainerFiles(containers, images);
  }

  public dev.berth.engine.container.ContainerCommitter committer() {
    return new dev.berth.engine.container.ContainerCommitter(containers, images, scratchDir());
  }

  private dev.berth.engine.bench.BenchService bench;

  /** {@code berth bench}: measurements of each kind of isolation, reports under {@code <data-root>/bench}. */
  public synchronized dev.berth.engine.bench.BenchService bench() {
    if (bench == null) {
      bench = new dev.berth.engine.bench.BenchService(containers, networks, images, vms, config.dataRoot(), scratchDir());
    }
    return bench;
  }

  /** The builder ({@code POST /build}); one per engine, its cache in the state database. */
  public synchronized dev.berth.engine.build.BuildService builds() {
    if (builds == null) {
      builds = new dev.berth.engine.build.BuildService(containers, images,
          new dev.berth.engine.state.BuildCacheTable(state), this::registry, scratchDir());
    }
    return builds;
  }

  public ImagePuller puller() {
    return new ImagePuller(images);
  }

  public ImagePusher pusher() {
    return new ImagePusher(images);
  }

  public ImageArchive archive() {
    return new ImageArchive(images);
  }

  public ImageLoader loader() {
    return new ImageLoader(images, scratchDir());
  }

  /** VM disks as images (KubeVirt's containerDisk): commit a VM's disk; {@code --image} reads them. */
  public dev.berth.engine.vm.VmDiskImages vmDiskImages() {
    return new dev.berth.engine.vm.VmDiskImages(vms, images, importer(), scratchDir());
  }

  public ImageImporter importer() {
    return new ImageImporter(images, scratchDir(), system.host());
  }

  /** Temp space on the data-root's file system; emptied at every start. */
  public Path scratchDir() {
    return config.dataRoot().resolve("tmp");
  }

  /** A registry client for one operation, using {@code credentials} for the registries it asks about. */
  public RegistryClient registry(Function<String, Optional<BasicCredentials>> credentials) {
    return new RegistryClient(RegistryClient.Settings.defaults().withInsecureRegistries(insecureRegistries)
        .withMirrors(config.mirrors()).withCredentials(credentials));
  }

  /** The mirrors pulls ask before each registry. */
  public dev.berth.engine.image.registry.RegistryMirrors mirrors() {
    return config.mirrors();
  }

  /** Leftovers of loads and imports cut short by a crash. */
  private static void clearScratch(Path tmp) {
    try {
      if (Files.isDirectory(tmp)) {
        try (var walk = Files.walk(tmp)) {
          for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
            if (!p.equals(tmp)) {
              Files.deleteIfExists(p);
            }
          }
        }
      }
      Files.createDirectories(tmp);
    } catch (IOException e) {
      throw new BerthException.Unavailable("cannot clear " + tmp + ": " + e.getMessage());
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
    if (pods != null) {
      pods.close();
    }
    if (containers != null) {
      containers.close();
    }
    if (networks != null) {
      networks.close();
    }
    vms.close();
    state.close();
  }
}

package dev.berth.engine.build;

import dev.berth.engine.BerthException;
import dev.berth.engine.container.Container;
import dev.berth.engine.container.ContainerCommitter;
import dev.berth.engine.container.ContainerConfig;
import dev.berth.engine.container.ContainerExits;
import dev.berth.engine.container.ContainerRootfs;
import dev.berth.engine.container.HostOptions;
import dev.berth.engine.container.ContainerService;
import dev.berth.engine.image.Image;
import dev.berth.engine.image.ImageService;
import dev.berth.engine.sys.Mounts;
import java.nio.file.Files;
import java.util.ArrayList;
import dev.berth.engine.runtime.AttachSession;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;

/**
 * The containers of a build: a RUN's (started, its output streamed, its changes committed as a
 * layer) and a COPY/ADD's (never started: files written into its mounted rootfs, then committed).
 * Every container made here is removed again, with its anonymous volumes, whatever happens.
 */
final class StepContainers {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(StepContainers.class);
  private final ContainerService containers;
  private final ContainerCommitter committer;

  private static final long MS_RDONLY = 1;
  private static final long MS_BIND = 4096;
  private static final long MS_RDONLY_REMOUNT_SAFE = 0; // a bind of one layer dir; nothing writes through it
  private final ImageService images;
  private final Path scratch;

  StepContainers(ContainerService containers, ContainerCommitter committer, ImageService images, Path scratch) {
    this.containers = containers;
    this.committer = committer;
    this.images = images;
    this.scratch = scratch;
  }

  /** Settings every RUN container of one build shares (network, limits, isolation). */
  record RunSettings(String networkMode, BuildResources resources, String isolation, List<String> extraHosts,
      long shmSize) {}

  /** What a RUN made: the layer (empty when it changed nothing). */
  record RunOutcome(Optional<Image.ImageLayer> layer) {}

  /**
   * Runs {@code cmd} in a container of {@code parent} (its config gives user, workdir, env) with
   * {@code extraEnv} (the build args the step sees) added, streaming its output to {@code output}.
   * {@code onStart} gets the container's ID before it starts (for " ---> Running in …").
   * A non-zero exit throws Docker's message; the container is removed unless
   * {@code keepOnFailure} (rm=false, forcerm=false: Docker leaves it for debugging).
   */
  RunOutcome run(Image parent, List<String> cmd, List<String> extraEnv, RunSettings settings,
      Consumer<String> onStart, Consumer<String> output, BuildCancel cancel, boolean keepOnSuccess,
      boolean keepOnFailure, String commandForError, Consumer<String> onRemoved) {
    cancel.check();
    Container c;
    try {
      c = containers.create(null, runConfig(parent, cmd, extraEnv, settings));
    } catch (BerthException e) {
      throw new BuildException(e.getMessage(), 1, e);
    }
    boolean ok = false;
    try (AutoCloseable onCancel = cancel.whenCancelled(() -> killQuietly(c.id()))) {
      onStart.accept(c.shortId());
      CompletableFuture<AttachSession> attach = containers.attach().attachWhenStarted(c.id());
      CompletableFuture<ContainerExits.WaitResult> exit = containers.exits().waitFor(c.id(),
          ContainerExits.WaitCondition.NEXT_EXIT);
      try {
        containers.start(c.id());
      } catch (BerthException e) {
        attach.cancel(false);
        throw new BuildException(e.getMessage(), 1, e);
      }
      if (cancel.isCancelled()) {
        killQuietly(c.id()); // cancelled while it started: the kill at cancel found it not running yet
      }
      try (AttachSession session = attach.get()) {
        AttachSession.Frame f;
        while ((f = session.read()) != null) {
          output.accept(new String(f.data(), StandardCharsets.UTF_8));
        }
      }
      int code = exit.get().statusCode();
      cancel.check();
      if (code != 0) {
        throw new BuildException("The command '" + commandForError + "' returned a non-zero code: " + code, code, null);
      }
      Optional<Image.ImageLayer> layer = committer.layerOf(c.id(), parent);
      ok = true;
      return new RunOutcome(layer);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BuildException("the build was interrupted", 1, e);
    } catch (ExecutionException e) {
      throw new BuildException(e.getCause().getMessage(), 1, e.getCause());
    } catch (IOException e) {
      throw new BuildException("RUN failed: " + e.getMessage(), 1, e);
    } catch (BuildException e) {
      throw e;
    } catch (Exception e) {
      throw e instanceof RuntimeException r ? r : new UncheckedIOException(new IOException(e));
    } finally {
      if (ok ? !keepOnSuccess : !keepOnFailure) {
        removeQuietly(c.id());
        if (ok) {
          onRemoved.accept(c.shortId());
        }
      }
    }
  }

  /** The work a COPY/ADD does on the mounted rootfs of a container that never starts. */
  interface RootfsWrite {
    void write(Path rootfs) throws IOException;
  }

  /**
   * Reads an image's files (COPY --from): its layers mounted read-only (an overlay of lower dirs
   * only) on a scratch dir for the call.
   */
  <T> T withImageRootfs(Image image, ContainerRootfs.RootfsWork<T> work) throws IOException {
    Path dir = Files.createTempDirectory(scratch, "build-from-");
    Path rootfs = Files.createDirectory(dir.resolve("rootfs"));
    try {
      List<Path> lower = lowerDirs(image, dir);
      if (lower.size() == 1) {
        Mounts.mount(lower.getFirst().toString(), rootfs, null, MS_BIND | MS_RDONLY_REMOUNT_SAFE, null);
      } else {
        Mounts.mount("overlay", rootfs, "overlay", MS_RDONLY, "lowerdir=" + String.join(":",
            lower.reversed().stream().map(Path::toString).toList()));
      }
      try {
        return work.apply(null, rootfs);
      } finally {
        Mounts.unmount(rootfs, Mounts.MNT_DETACH);
      }
    } finally {
      deleteTree(dir);
    }
  }

  /**
   * Writes into an overlay of {@code parent}'s layers on a scratch dir (no container: none of a
   * container's files, rows or runtime state are needed to write files) and commits what
   * changed as a layer, through the committer's layer writer. Nothing stays behind.
   */
  Optional<Image.ImageLayer> writeLayer(Image parent, String description, RootfsWrite write) {
    long t0 = System.nanoTime();
    long t1 = t0;
    long t2 = t0;
    Path dir = null;
    try {
      dir = Files.createTempDirectory(scratch, "build-step-");
      Path upper = Files.createDirectory(dir.resolve("upper"));
      Path work = Files.createDirectory(dir.resolve("work"));
      Path rootfs = Files.createDirectory(dir.resolve("rootfs"));
      Mounts.mountOverlay(lowerDirs(parent, dir), upper, work, rootfs);
      try {
        write.write(rootfs);
      } finally {
        Mounts.unmount(rootfs, 0);
      }
      t1 = System.nanoTime();
      Optional<Image.ImageLayer> layer = committer.layerOf(upper, parent);
      t2 = System.nanoTime();
      return layer;
    } catch (BuildException e) {
      throw e;
    } catch (IOException e) {
      throw new BuildException("failed to copy files: " + e.getMessage(), 1, e);
    } finally {
      if (dir != null) {
        Path done = dir;
        // The upper dir's files are in the layer now; deleting thousands of them costs the build
        // a second on a busy disk, so it happens beside the next step (the data-root's tmp is
        // also emptied at every start).
        Thread.ofVirtual().name("build-step-clean-up").start(() -> deleteTree(done));
      }
      LOG.debug("{}: write {} ms, layer {} ms", description, (t1 - t0) / 1_000_000, (t2 - t1) / 1_000_000);
    }
  }

  /** The image's layer dirs, bottom first; an empty dir for an image without layers. */
  private List<Path> lowerDirs(Image image, Path dir) throws IOException {
    List<Path> lower = new ArrayList<>();
    for (Image.ImageLayer l : image.layers()) {
      lower.add(images.layers().diffDir(l.chainId()));
    }
    if (lower.isEmpty()) {
      lower.add(Files.createDirectory(dir.resolve("empty")));
    }
    return lower;
  }

  private static void deleteTree(Path dir) {
    if (Mounts.isMountPoint(dir.resolve("rootfs"))) {
      return; // never delete through a mount into the image's layers
    }
    try (var walk = Files.walk(dir)) {
      for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      LOG.warn("cannot delete {}: {}", dir, e.getMessage());
    }
  }

  private static ContainerConfig runConfig(Image parent, List<String> cmd, List<String> extraEnv,
      RunSettings s) {
    ContainerConfig base = ContainerConfig.ofImage(parent.id().toString(), cmd);
    return withEntrypoint(base, List.of(), extraEnv, s);
  }

  /** The RUN container's config: no entrypoint (Docker overrides it), the limits and network of the build. */
  private static ContainerConfig withEntrypoint(ContainerConfig b, List<String> entrypoint, List<String> env,
      RunSettings s) {
    BuildResources r = s.resources();
    String isolation = s.isolation();
    // --add-host and --shm-size: the same HostConfig fields a docker run takes
    HostOptions host = new HostOptions(null, null, null, null, null, null, null, 0, null, false, s.shmSize(), null,
        null, null, null, s.extraHosts(), 0, null, null);
    long nanoCpus = r.cpuQuota() > 0 && r.cpuPeriod() > 0 ? r.cpuQuota() * 1_000_000_000L / r.cpuPeriod() : 0;
    return new ContainerConfig(b.image(), entrypoint, b.cmd(), env, null, null, null, null, null, false, false,
        false, null, null, false, false, false, null, null, false, null, r.memory(), r.memorySwap(), nanoCpus,
        r.cpuShares(), r.cpusetCpus().isEmpty() ? null : r.cpusetCpus(), 0, r.ulimits(), s.networkMode(), null, null,
        null, null, isolation.isEmpty() ? null : isolation, null, null, host, null);
  }

  private void killQuietly(String id) {
    try {
      containers.kill(id, "KILL");
    } catch (RuntimeException e) {
      // not running (any more): the build notices the cancel at its next check
    }
  }

  void removeQuietly(String id) {
    try {
      containers.remove(id, true, true);
    } catch (BerthException.NotFound gone) {
      // already removed
    } catch (RuntimeException e) {
      org.slf4j.LoggerFactory.getLogger(StepContainers.class).warn("build container {}: removal failed: {}",
          id.substring(0, 12), e.getMessage());
    }
  }
}

package dev.berth.engine.build;

import dev.berth.engine.BerthException;
import dev.berth.engine.container.Container;
import dev.berth.engine.container.ContainerCommitter;
import dev.berth.engine.container.ContainerConfig;
import dev.berth.engine.container.ContainerService;
import dev.berth.engine.image.Image;
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
  private final ContainerService containers;
  private final ContainerCommitter committer;

  StepContainers(ContainerService containers, ContainerCommitter committer) {
    this.containers = containers;
    this.committer = committer;
  }

  /** Settings every RUN container of one build shares (network, limits, isolation). */
  record RunSettings(String networkMode, BuildResources resources, String isolation) {}

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
      CompletableFuture<AttachSession> attach = containers.attachWhenStarted(c.id());
      CompletableFuture<ContainerService.WaitResult> exit = containers.waitFor(c.id(),
          ContainerService.WaitCondition.NEXT_EXIT);
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

  /** Reads an image's files (COPY --from): its rootfs mounted in a container that never starts. */
  <T> T withImageRootfs(Image image, ContainerService.RootfsWork<T> work) throws IOException {
    ContainerConfig cfg = withEntrypoint(ContainerConfig.ofImage(image.id().toString(),
        List.of("/bin/sh", "-c", "#(nop) COPY --from source")), List.of(), List.of(), "none", BuildResources.NONE,
        "process");
    Container c;
    try {
      c = containers.create(null, cfg);
    } catch (BerthException e) {
      throw new BuildException(e.getMessage(), 1, e);
    }
    try {
      return containers.withRootfs(c.id(), work);
    } finally {
      removeQuietly(c.id());
    }
  }

  /** Writes into a fresh container of {@code parent} and commits what changed; the container is removed. */
  Optional<Image.ImageLayer> writeLayer(Image parent, String description, RootfsWrite write) {
    ContainerConfig cfg = ContainerConfig.ofImage(parent.id().toString(), List.of("/bin/sh", "-c", "#(nop) " + description));
    cfg = withEntrypoint(cfg, List.of(), List.of(), "none", BuildResources.NONE, "process");
    Container c;
    try {
      c = containers.create(null, cfg);
    } catch (BerthException e) {
      throw new BuildException(e.getMessage(), 1, e);
    }
    try {
      containers.withRootfs(c.id(), (container, rootfs) -> {
        write.write(rootfs);
        return null;
      });
      return committer.layerOf(c.id(), parent);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      removeQuietly(c.id());
    }
  }

  private static ContainerConfig runConfig(Image parent, List<String> cmd, List<String> extraEnv,
      RunSettings s) {
    ContainerConfig base = ContainerConfig.ofImage(parent.id().toString(), cmd);
    return withEntrypoint(base, List.of(), extraEnv, s.networkMode(), s.resources(), s.isolation());
  }

  /** The RUN container's config: no entrypoint (Docker overrides it), the limits and network of the build. */
  private static ContainerConfig withEntrypoint(ContainerConfig b, List<String> entrypoint, List<String> env,
      String networkMode, BuildResources r, String isolation) {
    long nanoCpus = r.cpuQuota() > 0 && r.cpuPeriod() > 0 ? r.cpuQuota() * 1_000_000_000L / r.cpuPeriod() : 0;
    return new ContainerConfig(b.image(), entrypoint, b.cmd(), env, null, null, null, null, null, false, false,
        false, null, null, false, false, false, null, null, false, null, r.memory(), r.memorySwap(), nanoCpus,
        r.cpuShares(), r.cpusetCpus().isEmpty() ? null : r.cpusetCpus(), 0, r.ulimits(), networkMode, null, null, null,
        null, isolation.isEmpty() ? null : isolation);
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

package dev.berth.engine.build;

import dev.berth.engine.BerthException;
import dev.berth.engine.build.dockerfile.Dockerfile;
import dev.berth.engine.container.ContainerCommitter;
import dev.berth.engine.container.ContainerService;
import dev.berth.engine.image.Image;
import dev.berth.engine.image.ImageService;
import dev.berth.engine.image.Reference;
import dev.berth.engine.image.registry.BasicCredentials;
import dev.berth.engine.image.registry.RegistryClient;
import dev.berth.engine.state.BuildCacheTable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds images from Dockerfiles the way Docker's classic builder does: each RUN a container
 * whose changes become a layer, COPY/ADD layers written from the context, config-only
 * instructions changing only the config; with a cache of steps kept in the state database.
 */
public final class BuildService {
  private static final Logger LOG = LoggerFactory.getLogger(BuildService.class);
  private final ContainerService containers;
  private final ImageService images;
  private final BuildCacheTable table;
  private final Parts parts;
  private final Clock clock;

  /** What a build's steps use. */
  record Parts(StepContainers containers, StepImages stepImages, BuildCache cache, BaseImages images) {}

  public BuildService(ContainerService containers, ImageService images, BuildCacheTable table,
      Function<Function<String, Optional<BasicCredentials>>, RegistryClient> registries, Path scratch) {
    this.containers = containers;
    this.images = images;
    this.table = table;
    this.clock = Clock.systemUTC();
    this.parts = new Parts(new StepContainers(containers, new ContainerCommitter(containers, images, scratch), images, scratch),
        new StepImages(images, clock), new BuildCache(table, images, clock), new BaseImages(images, registries));
    images.setBuildCache(id -> table.hasImage(id.toString()));
  }

  /**
   * Runs the build, reporting Docker's lines to {@code events}; returns the image ID
   * ({@code sha256:…}). Throws {@link BuildException} (Docker's error text) when a step fails,
   * {@link BerthException.InvalidArgument} for a request that cannot be built.
   */
  public String build(BuildRequest request, Consumer<BuildEvent> events, BuildCancel cancel) {
    List<Reference> tags = new ArrayList<>();
    for (String t : request.tags()) {
      try {
        tags.add(Reference.parse(t));
      } catch (BerthException.InvalidArgument e) {
        throw new BerthException.InvalidArgument("invalid reference format: " + t);
      }
      if (tags.getLast().digest() != null) {
        throw new BerthException.InvalidArgument("invalid reference format: " + t + " (a tag cannot hold a digest)");
      }
    }
    if (!request.isolation().isEmpty() && !request.isolation().equals("process") && !request.isolation().equals("vm")
        && !request.isolation().equals("default")) {
      throw new BerthException.InvalidArgument("invalid isolation: " + request.isolation()
          + " (Berth supports \"process\" and \"vm\")");
    }
    if (request.platform().isPresent()) {
      dev.berth.engine.image.Platform wanted = dev.berth.engine.image.Platform.parse(request.platform().get());
      if (!dev.berth.engine.image.Platform.host().accepts(wanted)) {
        throw new BerthException.InvalidArgument("platform " + request.platform().get()
            + " cannot be built here: this host builds " + dev.berth.engine.image.Platform.host() + " only");
      }
    }
    Dockerfile dockerfile = Dockerfile.parse(readDockerfile(request));
    Predicate<String> excluded = ignoreRules(request);
    long t0 = System.nanoTime();
    Image result = new BuildRun(parts, request, dockerfile, excluded, cancel).run(events);
    cancel.check();
    events.accept(new BuildEvent.Aux(result.id().toString()));
    events.accept(new BuildEvent.Stream("Successfully built " + result.shortId() + "\n"));
    for (Reference t : tags) {
      images.tag(result.id().toString(), t);
      events.accept(new BuildEvent.Stream("Successfully tagged " + t.familiar() + "\n"));
    }
    LOG.info("built image {}{} in {} ms", result.shortId(), tags.isEmpty() ? "" : " " + tags.getFirst().familiar(),
        (System.nanoTime() - t0) / 1_000_000);
    return result.id().toString();
  }

  private static String readDockerfile(BuildRequest r) {
    Path root = Path.of("/context");
    Path file = root.resolve(r.dockerfile()).normalize();
    if (!file.startsWith(root)) {
      throw new BerthException.InvalidArgument("the Dockerfile (" + r.dockerfile() + ") must be within the build context");
    }
    String rel = root.relativize(file).toString();
    try {
      Optional<String> text;
      try {
        text = indexed(r) == null ? onDisk(r, rel, true) : indexed(r).readRegularFile(rel, true);
      } catch (IndexedSources.NeedsDisk link) {
        text = onDisk(r, rel, true);
      }
      return text.orElseThrow(() -> new BerthException.InvalidArgument("Cannot locate specified Dockerfile: "
          + r.dockerfile()));
    } catch (IOException e) {
      throw new BerthException.InvalidArgument("Cannot read the Dockerfile " + r.dockerfile() + ": " + e.getMessage());
    }
  }

  /** The context's .dockerignore as a predicate on relative paths (the Dockerfile and .dockerignore are never excluded from reading it). */
  private static Predicate<String> ignoreRules(BuildRequest r) {
    try {
      Optional<String> text = indexed(r) == null ? onDisk(r, ".dockerignore", false)
          : indexed(r).readRegularFile(".dockerignore", false);
      if (text.isEmpty()) {
        return rel -> false;
      }
      dev.berth.engine.build.context.DockerIgnore rules = dev.berth.engine.build.context.DockerIgnore
          .parse(text.get()).keepingBuildFiles(r.dockerfile());
      return rules::excluded;
    } catch (IOException e) {
      throw new BerthException.InvalidArgument("cannot read .dockerignore: " + e.getMessage());
    }
  }

  /** Lookups in the spooled context's index, or null when the context is a directory. */
  private static IndexedSources indexed(BuildRequest r) {
    return r.context().index().map(i -> new IndexedSources(i, rel -> false)).orElse(null);
  }

  private static Optional<String> onDisk(BuildRequest r, String rel, boolean followLinks) throws IOException {
    Path file = r.context().directory().resolve(rel);
    boolean regular = followLinks ? Files.isRegularFile(file) : Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS);
    return regular ? Optional.of(Files.readString(file, StandardCharsets.UTF_8)) : Optional.empty();
  }

  /** The build cache, for {@code system df}. */
  public BuildCacheUsage usage() {
    List<BuildCacheUsage.Entry> entries = new ArrayList<>();
    for (BuildCacheTable.CacheRow r : table.all()) {
      Optional<Image> image = images.lookup(r.imageId());
      if (image.isEmpty()) {
        continue;
      }
      boolean shared = !image.get().repoTags().isEmpty();
      entries.add(new BuildCacheUsage.Entry(r.cacheKey().substring(0, 25), r.parentId(), r.kind(), r.description(),
          false, shared, r.size(), Instant.ofEpochMilli(r.created()), Instant.ofEpochMilli(r.lastUsed()),
          r.usageCount()));
    }
    return new BuildCacheUsage(entries);
  }

  /**
   * Removes cache entries and the step images only they kept: with {@code all} every entry,
   * else those whose image is not tagged; a {@code keepDuration} above zero keeps the entries
   * used within that time. Images a container or a tag still uses stay (only the entry goes).
   */
  public synchronized BuildPruneResult prune(boolean all, Duration keepDuration) {
    List<String> deleted = new ArrayList<>();
    long reclaimed = 0;
    long cutoff = keepDuration == null || keepDuration.isZero() ? Long.MAX_VALUE
        : clock.millis() - keepDuration.toMillis();
    List<BuildCacheTable.CacheRow> rows = new ArrayList<>(table.all());
    java.util.Collections.reverse(rows); // children before parents
    for (BuildCacheTable.CacheRow r : rows) {
      if (r.lastUsed() > cutoff) {
        continue;
      }
      Optional<Image> image = images.lookup(r.imageId());
      if (image.isPresent() && !image.get().repoTags().isEmpty() && !all) {
        continue;
      }
      table.delete(r.cacheKey());
      deleted.add(r.cacheKey().substring(0, 25));
      if (image.isPresent() && image.get().repoTags().isEmpty() && !table.hasImage(r.imageId())) {
        try {
          images.remove(r.imageId(), false);
          reclaimed += r.size();
        } catch (BerthException e) {
          // a container uses it, or it is tagged meanwhile: it stays, only the entry goes
        }
      }
    }
    return new BuildPruneResult(deleted, reclaimed);
  }
}

package dev.berth.engine.image;

import dev.berth.engine.BerthException;
import dev.berth.engine.content.ContentStore;
import dev.berth.engine.content.Digest;
import dev.berth.engine.image.layer.LayerStore;
import dev.berth.engine.state.ImageTable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The local image store: finds images by name, ID or ID prefix, lists, tags and removes them,
 * and collects the blobs and unpacked layers no image needs any more. Pulls, pushes and
 * archives are separate classes that record their results here.
 */
public final class ImageService {
  private static final Logger log = LoggerFactory.getLogger(ImageService.class);
  private static final Pattern HEX = Pattern.compile("[a-f0-9]{1,64}");
  private static final Pattern FULL_ID = Pattern.compile("sha256:[a-f0-9]{64}");

  private final ContentStore content;
  private final LayerStore layers;
  private final ImageTable table;
  private final Clock clock;
  /** The engine's one event bus (made by the engine): image actions publish on it, and others reach it here. */
  private final dev.berth.engine.events.EventBus events;
  private volatile Predicate<Digest> usedByContainer = id -> false;
  private volatile Predicate<Digest> heldByBuildCache = id -> false;
  private volatile Predicate<Digest> usedByVm = id -> false;
  /** Blobs and layers an operation in progress will record; collection leaves them alone. */
  private final java.util.Map<String, Integer> pins = new java.util.HashMap<>();
  private final java.util.concurrent.locks.ReentrantLock gcLock = new java.util.concurrent.locks.ReentrantLock();
  /** Pulls under way, one per image: every puller of this store shares them. */
  private final PullFlights pullFlights = new PullFlights();

  public ImageService(ContentStore content, LayerStore layers, ImageTable table, Clock clock,
      dev.berth.engine.events.EventBus events) {
    this.content = content;
    this.layers = layers;
    this.table = table;
    this.clock = clock;
    this.events = events;
  }

  public dev.berth.engine.events.EventBus events() {
    return events;
  }

  public ContentStore content() {
    return content;
  }

  public LayerStore layers() {
    return layers;
  }

  Clock clock() {
    return clock;
  }

  /** Lets the container side say which images are in use (rmi refuses those without force). */
  public void setUsage(Predicate<Digest> usedByContainer) {
    this.usedByContainer = usedByContainer;
  }

  /** Lets the VM side say which images hold a VM's base disk (rmi refuses those, as for containers). */
  public void setVmUsage(Predicate<Digest> usedByVm) {
    this.usedByVm = usedByVm;
  }

  /** The image named by a reference, a full ID, or a unique ID prefix; NotFound otherwise. */
  public Image find(String nameOrId) {
    return lookup(nameOrId).orElseThrow(() -> new BerthException.NotFound("No such image: " + nameOrId));
  }

  public Optional<Image> lookup(String nameOrId) {
    if (nameOrId == null || nameOrId.isBlank()) {
      throw new BerthException.InvalidArgument("an image name or ID is required");
    }
    if (FULL_ID.matcher(nameOrId).matches()) {
      return table.find(nameOrId).map(this::toImage);
    }
    Optional<String> byRef = Optional.empty();
    try {
      Reference ref = Reference.parse(nameOrId);
      byRef = ref.digest() != null
          ? table.imageIdForDigest(ref.name() + "@" + ref.digest())
          : table.imageIdForTag(ref.toString());
    } catch (BerthException.InvalidArgument notAReference) {
      if (!HEX.matcher(nameOrId).matches()) {
        throw notAReference;
      }
    }
    if (byRef.isPresent()) {
      return table.find(byRef.get()).map(this::toImage);
    }
    if (HEX.matcher(nameOrId).matches()) {
      List<String> ids = table.idsWithPrefix(nameOrId);
      if (ids.size() > 1) {
        throw new BerthException.Conflict("image ID prefix " + nameOrId + " is ambiguous: it matches "
            + ids.size() + " images; give more characters");
      }
      if (ids.size() == 1) {
        return table.find(ids.getFirst()).map(this::toImage);
      }
    }
    return Optional.empty();
  }

  /** How many images are stored, without reading them. */
  public int count() {
    return table.count();
  }

  /** All images, newest first. */
  public List<Image> list() {
    return table.all().stream().map(this::toImage).toList();
  }

  /** Adds the tag {@code target} to the image {@code source} names. */
  public Image tag(String source, Reference target) {
    if (target.digest() != null) {
      throw new BerthException.InvalidArgument("refusing to create a tag with a digest reference: " + target.familiar());
    }
    Image image = find(source);
    table.tag(target.toString(), image.id().toString(), clock.millis());
    events.image("tag", image.id().toString(), target.familiar());
    return find(image.id().toString());
  }

  /** What {@link #remove} did, in Docker's terms: untagged references, deleted image IDs. */
  public sealed interface Removal {
    record Untagged(String reference) implements Removal {}

    record Deleted(String imageId) implements Removal {}
  }

  /**
   * Removes a reference, or the whole image when named by ID (or its last reference goes).
   * An image named by ID that has several tags, or that a container uses, needs {@code force}.
   */
  public List<Removal> remove(String nameOrId, boolean force) {
    Image image = find(nameOrId);
    boolean vmDisk = usedByVm.test(image.id());
    boolean inUse = usedByContainer.test(image.id()) || vmDisk;
    String user = vmDisk ? "a VM" : "a container";
    List<Removal> done = new ArrayList<>();
    if (!isIdLike(nameOrId, image)) {
      Reference ref = Reference.parse(nameOrId);
      // As Docker: the image goes with its last name, its digest references with it; an
      // image a container uses keeps existing (untagged) when its last tag is forced away.
      boolean lastName = ref.digest() == null
          ? image.repoTags().size() <= 1
          : image.repoTags().isEmpty() && image.repoDigests().size() <= 1;
      if (lastName && inUse && !force) {
        throw new BerthException.Conflict("conflict: unable to remove repository reference \"" + nameOrId
            + "\" (must force) - " + user + " is using its referenced image " + image.shortId());
      }
      boolean removed = ref.digest() != null
          ? table.removeDigest(ref.name() + "@" + ref.digest())
          : table.untag(ref.toString());
      if (removed) {
        done.add(new Removal.Untagged(ref.familiar()));
        events.image("untag", image.id().toString(), ref.familiar());
      }
      if (!lastName || inUse) {
        return done;
      }
    } else {
      if (inUse) {
        throw new BerthException.Conflict("conflict: unable to delete " + image.shortId()
            + " (cannot be forced) - image is being used by " + user + "; remove the " + user.substring(2) + " first");
      }
      if (image.repoTags().size() > 1 && !force) {
        throw new BerthException.Conflict("conflict: unable to delete " + image.shortId()
            + " (must be forced) - image is referenced in multiple repositories");
      }
    }
    Image current = find(image.id().toString());
    for (Reference tag : current.repoTags()) {
      table.untag(tag.toString());
      done.add(new Removal.Untagged(tag.familiar()));
      events.image("untag", image.id().toString(), tag.familiar());
    }
    for (Reference digest : current.repoDigests()) {
      table.removeDigest(digest.toString());
      done.add(new Removal.Untagged(digest.familiar()));
    }
    table.delete(image.id().toString());
    done.add(new Removal.Deleted(image.id().toString()));
    events.image("delete", image.id().toString(), image.id().toString());
    collect(current);
    log.info("removed image {}", image.shortId());
    return done;
  }

  private static boolean isIdLike(String nameOrId, Image image) {
    String hex = nameOrId.startsWith("sha256:") ? nameOrId.substring(7) : nameOrId;
    return image.id().hex().startsWith(hex) && HEX.matcher(hex).matches()
        && image.repoTags().stream().noneMatch(t -> t.familiar().equals(nameOrId) || t.toString().equals(nameOrId));
  }

  PullFlights pullFlights() {
    return pullFlights;
  }

  /** A hold on blobs and layers (by digest or chain ID) until closed. */
  public interface Pin extends AutoCloseable {
    @Override
    void close();
  }

  /**
   * Keeps {@code keys} (blob digests, chain IDs) from being collected until the pin is closed.
   * A pull pins what it will record before it checks what exists, so an rmi running meanwhile
   * cannot delete a layer the pull has just found and is about to reference.
   */
  public Pin pin(java.util.Collection<String> keys) {
    List<String> held = List.copyOf(keys);
    gcLock.lock();
    try {
      held.forEach(k -> pins.merge(k, 1, Integer::sum));
    } finally {
      gcLock.unlock();
    }
    return () -> {
      gcLock.lock();
      try {
        held.forEach(k -> pins.computeIfPresent(k, (key, n) -> n == 1 ? null : n - 1));
      } finally {
        gcLock.unlock();
      }
    };
  }

  /** Deletes what only {@code gone} used: unpacked layers, layer blobs, config, manifest. */
  private void collect(Image gone) {
    gcLock.lock();
    try {
      collectUnlocked(gone);
    } finally {
      gcLock.unlock();
    }
  }

  private void collectUnlocked(Image gone) {
    try {
      List<Image.ImageLayer> reversed = new ArrayList<>(gone.layers());
      java.util.Collections.reverse(reversed);
      for (Image.ImageLayer layer : reversed) {
        if (table.imagesUsingChain(layer.chainId()) == 0 && !pins.containsKey(layer.chainId())
            && layers.exists(layer.chainId())) {
          layers.remove(layer.chainId());
        }
        String blob = layer.blob().digest().toString();
        if (table.imagesUsingBlob(blob) == 0 && !pins.containsKey(blob)) {
          content.delete(layer.blob().digest());
        }
      }
      if (table.find(gone.id().toString()).isEmpty() && !pins.containsKey(gone.id().toString())) {
        content.delete(gone.id());
      }
      if (gone.manifestDigest() != null && table.imagesWithManifest(gone.manifestDigest().toString()) == 0
          && !pins.containsKey(gone.manifestDigest().toString())) {
        content.delete(gone.manifestDigest());
      }
    } catch (IOException e) {
      // The image is gone from the table; leftovers only cost disk and a later prune finds them.
      log.warn("image {} removed, but cleaning its files failed: {}", gone.shortId(), e.getMessage());
    }
  }

  /**
   * Lets the builder say which untagged images are its cache (Docker's intermediate images,
   * which a dangling-image prune keeps because they have children).
   */
  public void setBuildCache(Predicate<Digest> heldByBuildCache) {
    this.heldByBuildCache = heldByBuildCache;
  }

  /** Images without tags (dangling, build cache excepted), or with {@code all} every image no container uses. */
  public List<Image> pruneCandidates(boolean all) {
    return list().stream()
        .filter(i -> !usedByVm.test(i.id()))
        .filter(i -> all ? !usedByContainer.test(i.id())
            : i.repoTags().isEmpty() && !usedByContainer.test(i.id()) && !heldByBuildCache.test(i.id()))
        .sorted(Comparator.comparing(Image::storedAt))
        .toList();
  }

  /** Records that the image is in the registry under {@code digestRef} (name@digest). */
  public void addRepoDigest(Reference digestRef, Digest imageId) {
    table.addDigest(digestRef.name() + "@" + digestRef.digest(), imageId.toString());
  }

  /** Records a new image and its references in one transaction (a crash leaves none of it). */
  public Image record(Image image, List<Reference> tags, List<Reference> digests) {
    List<ImageTable.LayerRow> rows = new ArrayList<>();
    for (int i = 0; i < image.layers().size(); i++) {
      Image.ImageLayer l = image.layers().get(i);
      rows.add(new ImageTable.LayerRow(i, l.diffId().toString(), l.chainId(), l.blob().digest().toString(),
          l.blob().mediaType(), l.blob().size()));
    }
    ImageTable.ImageRow row = new ImageTable.ImageRow(image.id().toString(),
        image.manifestDigest() == null ? null : image.manifestDigest().toString(), image.manifestMediaType(),
        image.config().platform().toString(), image.size(), clock.millis(), rows);
    table.insertAndReference(row, tags.stream().map(Reference::toString).toList(),
        digests.stream().map(r -> r.name() + "@" + r.digest()).toList(), clock.millis());
    return find(image.id().toString());
  }

  private Image toImage(ImageTable.ImageRow row) {
    Digest id = Digest.parse(row.id());
    byte[] configBytes;
    try {
      configBytes = content.readAll(id);
    } catch (IOException e) {
      throw new UncheckedIOException("image " + id.shortHex() + ": its config blob is unreadable: " + e.getMessage(), e);
    }
    ImageConfig config = ImageJson.read(configBytes, ImageConfig.class, "image config " + id);
    List<ImageTable.RefRow> tagRows = table.tagsOf(row.id());
    List<Reference> tags = tagRows.stream().map(r -> Reference.parse(r.reference())).toList();
    List<Reference> digests = table.digestsOf(row.id()).stream().map(r -> Reference.parse(r.reference())).toList();
    List<Image.ImageLayer> layerViews = row.layers().stream()
        .map(l -> new Image.ImageLayer(Digest.parse(l.diffId()), l.chainId(),
            new Descriptor(l.blobMediaType(), Digest.parse(l.blobDigest()), l.blobSize())))
        .toList();
    Instant lastTag = tagRows.stream().map(r -> Instant.ofEpochMilli(r.taggedAtMillis())).max(Comparator.naturalOrder())
        .orElse(null);
    return new Image(id, config, configBytes, tags, digests,
        row.manifestDigest() == null ? null : Digest.parse(row.manifestDigest()), row.manifestMediaType(),
        layerViews, row.size(), Instant.ofEpochMilli(row.storedAtMillis()), lastTag);
  }
}

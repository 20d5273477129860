package dev.berth.engine.filesystem;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * The tree a build-context tar would extract to (with {@link TarExtractor#filesOnly}), read
 * from the tar itself: every entry's path, type, mode, owner and size, and where its content
 * lies in the spooled tar. A fully cached rebuild hashes its COPY sources from here and never
 * writes the context's files (decision 1600).
 *
 * <p>Only a plain tree is indexed: a tar with anything whose extraction is more than "create
 * this entry" — a hard link, a device node or FIFO, a duplicate name, an entry under a symlink,
 * a directory the tar does not list, an unusual entry type — gets no index ({@link #read}
 * answers empty) and the caller extracts it as before.
 */
public final class ContextIndex implements AutoCloseable {
  private static final int S_IFDIR = 0040000, S_IFREG = 0100000, S_IFLNK = 0120000;

  /**
   * One entry as {@code lstat} would show it after extraction.
   *
   * @param path relative, "/"-separated, "" for the context's root
   * @param mode {@code st_mode}: type bits and permission bits
   * @param offset where the content starts in the spooled tar (regular files)
   */
  public record Entry(String path, int mode, int uid, int gid, long size, String linkTarget, long offset) {
    public boolean isDirectory() {
      return (mode & 0170000) == S_IFDIR;
    }

    public boolean isSymbolicLink() {
      return (mode & 0170000) == S_IFLNK;
    }

    public boolean isRegularFile() {
      return (mode & 0170000) == S_IFREG;
    }

    /** The last component. */
    public String name() {
      return path.substring(path.lastIndexOf('/') + 1);
    }
  }

  private final SpooledBytes tar;
  private final Map<String, Entry> entries;
  private final Map<String, List<Entry>> children;

  private ContextIndex(SpooledBytes tar, Map<String, Entry> entries, Map<String, List<Entry>> children) {
    this.tar = tar;
    this.entries = entries;
    this.children = children;
  }

  /**
   * Reads the tar from {@code in} once, keeping its bytes in {@code bytes} and indexing it as
   * they arrive (the client's sending and the indexing overlap); {@code root} is the (empty)
   * directory it would be extracted into, whose own attributes the root entry takes. Empty when
   * the tar is not a plain tree (the rest of {@code in} is still kept, for extraction); a
   * malformed header is the client's error, as in extraction.
   */
  public static Optional<ContextIndex> receive(InputStream in, Path root, SpooledBytes bytes) throws IOException {
    Map<String, Object> rootAttrs = Files.readAttributes(root, "unix:mode,uid,gid", LinkOption.NOFOLLOW_LINKS);
    Map<String, Entry> entries = new HashMap<>();
    Map<String, List<Entry>> children = new HashMap<>();
    entries.put("", new Entry("", (Integer) rootAttrs.get("mode"), (Integer) rootAttrs.get("uid"),
        (Integer) rootAttrs.get("gid"), 0, null, 0));
    children.put("", new ArrayList<>());
    boolean plain = readPlainTree(new TarArchiveInputStream(bytes.recording(in)), entries, children);
    bytes.writeAll(in); // the end-of-archive blocks, or the rest of a tar the index gave up on
    if (!plain) {
      return Optional.empty();
    }
    long length = bytes.length();
    for (Entry e : entries.values()) {
      if (e.isRegularFile() && e.offset() + e.size() > length) {
        return Optional.empty(); // a truncated tar: extraction reports it
      }
    }
    for (List<Entry> list : children.values()) {
      sortByName(list);
    }
    return Optional.of(new ContextIndex(bytes, entries, children));
  }

  /** Fills {@code entries} and {@code children}; false as soon as the tar is no plain tree. */
  private static boolean readPlainTree(TarArchiveInputStream t, Map<String, Entry> entries,
      Map<String, List<Entry>> children) throws IOException {
    TarArchiveEntry e;
    String previous = null;
    while ((e = TarHeaders.next(t, previous)) != null) {
      previous = e.getName();
      List<String> parts = RootfsPath.components(e.getName());
      if (parts.contains("..")) {
        return false; // extraction clamps it inside the root: rare, so it decides
      }
      String path = String.join("/", parts);
      if (path.isEmpty()) {
        continue; // "./": the root itself, which extraction leaves alone
      }
      int type;
      if (e.isDirectory()) {
        type = S_IFDIR;
      } else if (e.isSymbolicLink()) {
        type = S_IFLNK;
      } else if (e.isFile() && !e.isLink() && !e.isCharacterDevice() && !e.isBlockDevice() && !e.isFIFO()
          && !e.isSparse() && (e.getLinkFlag() == '0' || e.getLinkFlag() == 0 || e.getLinkFlag() == '7')) {
        type = S_IFREG;
      } else {
        return false; // hard link, device, FIFO, sparse or unknown: extraction decides
      }
      int slash = path.lastIndexOf('/');
      String parent = slash < 0 ? "" : path.substring(0, slash);
      Entry p = entries.get(parent);
      if (entries.containsKey(path) || p == null || !p.isDirectory()) {
        return false; // a duplicate, a parent not listed first or not a directory
      }
      int mode = type == S_IFLNK ? S_IFLNK | 0777 : type | (e.getMode() & 07777);
      Entry entry = new Entry(path, mode, (int) e.getLongUserId(), (int) e.getLongGroupId(),
          type == S_IFREG ? e.getSize() : 0, type == S_IFLNK ? e.getLinkName() : null,
          type == S_IFREG ? t.getBytesRead() : 0);
      entries.put(path, entry);
      children.get(parent).add(entry);
      if (type == S_IFDIR) {
        children.put(path, new ArrayList<>());
      }
    }
    return true;
  }

  /**
   * In the order a sorted directory listing has them ({@code Path} order: the names' bytes),
   * each name made a {@code Path} once rather than at every comparison.
   */
  private static void sortByName(List<Entry> list) {
    if (list.size() < 2) {
      return;
    }
    Map<Entry, Path> keys = new java.util.IdentityHashMap<>(list.size() * 2);
    for (Entry e : list) {
      keys.put(e, Path.of(e.name()));
    }
    list.sort((a, b) -> keys.get(a).compareTo(keys.get(b)));
  }

  /** The entry at exactly {@code path} (relative, "/"-separated), following no link. */
  public Optional<Entry> get(String path) {
    return Optional.ofNullable(entries.get(path));
  }

  /** A directory's entries, in name order (as a sorted directory walk has them). */
  public List<Entry> children(Entry dir) {
    return children.getOrDefault(dir.path(), List.of());
  }

  /** Every entry but the root, in no particular order. */
  public List<Entry> all() {
    return entries.values().stream().filter(e -> !e.path().isEmpty()).toList();
  }

  /** A regular file's content, read from the spooled tar. */
  public InputStream open(Entry file) {
    if (!file.isRegularFile()) {
      throw new IllegalArgumentException(file.path() + " is not a regular file");
    }
    return tar.open(file.offset(), file.size());
  }

  /** The whole tar, from its first byte. */
  public InputStream openTar() {
    return tar.open();
  }

  /** Frees the tar's bytes (memory or spool file). */
  @Override
  public void close() throws IOException {
    tar.close();
  }
}

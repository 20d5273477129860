package dev.berth.engine.container;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;

/**
 * A container's log as files, named as json-file names them: {@code ctr.log} (conmon writes it),
 * {@code ctr.log.1} (the newest rotated one) … {@code ctr.log.<max-file − 1>}.
 */
final class LogFiles {
  private LogFiles() {}

  static Path rotated(Path log, int n) {
    return log.resolveSibling(log.getFileName() + "." + n);
  }

  /** The file's identity (device and inode), or null when there is no such file. */
  static Object key(Path file) {
    try {
      return Files.readAttributes(file, BasicFileAttributes.class).fileKey();
    } catch (IOException e) {
      return null;
    }
  }

  static long size(Path file) {
    try {
      return Files.size(file);
    } catch (IOException e) {
      return -1;
    }
  }

  /**
   * Makes {@code source} the newest rotated file: {@code .1} → {@code .2} …, the oldest beyond
   * {@code maxFile − 1} deleted, then {@code source} → {@code .1}.
   */
  static void shift(Path log, Path source, int maxFile) throws IOException {
    if (maxFile < 2) {
      Files.deleteIfExists(source);
      return;
    }
    Files.deleteIfExists(rotated(log, maxFile - 1));
    for (int n = maxFile - 2; n >= 1; n--) {
      Path from = rotated(log, n);
      if (Files.exists(from)) {
        Files.move(from, rotated(log, n + 1), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      }
    }
    Files.move(source, rotated(log, 1), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  /** An open file of the log and its identity. */
  record Open(FileChannel channel, Object key) implements AutoCloseable {
    @Override
    public void close() throws IOException {
      channel.close();
    }
  }

  /**
   * Opens every file of the log, oldest first (the current file last, when there is one). Opened
   * newest first and each file once: a rotation while opening then at worst leaves out lines
   * newer than the snapshot, never shows one twice or out of order.
   */
  static List<Open> openAll(Path log) throws IOException {
    List<Path> newestFirst = new ArrayList<>(List.of(log));
    newestFirst.addAll(rotatedFiles(log));
    List<Open> opened = new ArrayList<>();
    Set<Object> seen = new HashSet<>();
    try {
      for (Path p : newestFirst) {
        Open o = open(p);
        if (o == null) {
          continue;
        }
        if (!seen.add(o.key())) {
          o.close();
          continue;
        }
        opened.addFirst(o);
      }
    } catch (IOException | RuntimeException e) {
      closeAll(opened);
      throw e;
    }
    return opened;
  }

  /**
   * Opens one file for reading; null when it does not exist (rotated away meanwhile). The name
   * points to the same file before and after the open, so the key is the opened file's (names only
   * ever move on to older ones; a retry covers a rotation in between).
   */
  static Open open(Path file) throws IOException {
    for (int attempt = 0; attempt < 3; attempt++) {
      Object before = key(file);
      if (before == null) {
        return null;
      }
      FileChannel ch;
      try {
        ch = FileChannel.open(file, StandardOpenOption.READ);
      } catch (NoSuchFileException e) {
        return null;
      }
      if (before.equals(key(file))) {
        return new Open(ch, before);
      }
      ch.close();
    }
    return null;
  }

  static void closeAll(List<Open> files) {
    for (Open o : files) {
      try {
        o.close();
      } catch (IOException ignored) {
        // read-only: nothing to lose
      }
    }
  }

  /** {@code ctr.log.<n>}, lowest n (newest) first. */
  private static List<Path> rotatedFiles(Path log) throws IOException {
    TreeMap<Integer, Path> byNumber = new TreeMap<>();
    String prefix = log.getFileName() + ".";
    try (DirectoryStream<Path> dir = Files.newDirectoryStream(log.getParent(), log.getFileName() + ".*")) {
      for (Path p : dir) {
        String suffix = p.getFileName().toString().substring(prefix.length());
        if (!suffix.isEmpty() && suffix.chars().allMatch(Character::isDigit) && suffix.length() < 9) {
          byNumber.put(Integer.parseInt(suffix), p);
        }
      }
    } catch (NoSuchFileException e) {
      return List.of();
    }
    return List.copyOf(byNumber.values());
  }

}

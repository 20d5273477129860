package dev.berth.engine.container;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rotates the logs of running containers that have {@code --log-opt max-size} and a
 * {@code max-file} above 1, as Docker's json-file does: when {@code ctr.log} reaches max-size it
 * becomes {@code ctr.log.1} (older ones move up, the oldest beyond max-file is deleted) and conmon
 * is asked through its ctl fifo to reopen, which gives it a new empty {@code ctr.log}. Until
 * conmon has reopened, it writes on into {@code .1}, so no line is lost and the order holds.
 *
 * <p>inotify (one WatchService for all containers) tells of every write, so a file is rotated
 * within milliseconds of passing max-size; it can exceed it by what conmon wrote meanwhile.
 * berthd is the only one that rotates such a log: conmon gets no size limit of its own (see
 * {@link LogConfig#conmonSizeMax}), because conmon counts its limit over everything it wrote and
 * replaced the file by itself every max-size × max-file bytes, racing berthd's rotations and
 * losing lines. While berthd is down, {@code ctr.log} grows past max-size; it is rotated when
 * berthd is back.
 */
final class LogRotation implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LogRotation.class);

  /** Asks conmon to reopen the log file (its ctl fifo). */
  @FunctionalInterface
  interface Reopen {
    void reopen() throws IOException;
  }

  private record Watched(String id, Path log, LogConfig config, Reopen reopen, WatchKey key) {}

  private final WatchService watcher;
  private final Map<String, Watched> watched = new ConcurrentHashMap<>();
  private final Map<WatchKey, Watched> byKey = new ConcurrentHashMap<>();
  private final Thread thread;

  LogRotation() {
    try {
      this.watcher = FileSystems.getDefault().newWatchService();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create an inotify watch for container logs", e);
    }
    this.thread = Thread.ofPlatform().daemon().name("log-rotation").start(this::run);
  }

  /** Starts rotating the log of a running container, if its options ask for rotation. */
  void watch(String id, Path log, LogConfig config, Reopen reopen) {
    if (!config.rotates()) {
      return; // no limit, or one file: conmon's own --log-size-max does what json-file does
    }
    unwatch(id);
    WatchKey key;
    try {
      key = log.getParent().register(watcher, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY);
    } catch (IOException e) {
      LOG.warn("container {}: cannot watch its log for rotation: {}", id.substring(0, 12), e.getMessage());
      return;
    }
    Watched w = new Watched(id, log, config, reopen, key);
    watched.put(id, w);
    byKey.put(key, w);
    if (awaitsReopen(log)) {
      try {
        reopen.reopen();
      } catch (IOException | RuntimeException e) {
        LOG.warn("container {}: cannot have conmon reopen its log: {}", id.substring(0, 12), e.getMessage());
      }
    }
    check(w); // it may have grown while berthd was down
  }

  void unwatch(String id) {
    Watched w = watched.remove(id);
    if (w != null) {
      byKey.remove(w.key());
      w.key().cancel();
    }
  }

  private void run() {
    try {
      while (true) {
        WatchKey key = watcher.take();
        boolean ours = false;
        for (WatchEvent<?> e : key.pollEvents()) {
          ours |= e.kind() == StandardWatchEventKinds.OVERFLOW
              || (e.context() instanceof Path p && p.getFileName().toString().startsWith("ctr.log"));
        }
        key.reset();
        Watched w = byKey.get(key);
        if (w != null && ours) {
          check(w);
        }
      }
    } catch (ClosedWatchServiceException | InterruptedException closed) {
      // berthd stops; containers log on, bounded by conmon's limit
    }
  }

  /** Rotates when needed; never throws (a failure is logged and retried at the next write). */
  private void check(Watched w) {
    synchronized (w) {
      try {
        rotateIfNeeded(w.log(), w.config(), w.reopen());
      } catch (IOException | RuntimeException e) {
        LOG.warn("container {}: log rotation failed: {}", w.id().substring(0, 12), e.getMessage());
      }
    }
  }

  /** One step of the rotation on the files (also for tests: no watching involved). */
  static void rotateIfNeeded(Path log, LogConfig config, Reopen reopen) throws IOException {
    if (!Files.exists(log)) {
      return; // rotated; conmon has not reopened yet (its new file's creation is the next event)
    }
    if (LogFiles.size(log) >= config.maxSize()) {
      LogFiles.shift(log, log, config.maxFile());
      reopen.reopen();
    }
  }

  /** Whether a rotation left the log without its current file (berthd stopped before conmon reopened). */
  static boolean awaitsReopen(Path log) {
    return !Files.exists(log) && Files.exists(LogFiles.rotated(log, 1));
  }

  @Override
  public void close() {
    try {
      watcher.close();
    } catch (IOException ignored) {
      // closing
    }
    thread.interrupt();
  }
}

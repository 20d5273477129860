package dev.berth.engine.container;

import dev.berth.engine.runtime.ContainerProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Learns when containers exit from conmon's exit files through inotify (one WatchService for
 * all containers), so an exit is noticed within milliseconds and idle containers cost no polling.
 * Once a second it also checks every watched container, for a conmon that died without writing
 * its file (the exit code is then unknown: 255, as Docker reports).
 */
final class ExitWatcher implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ExitWatcher.class);

  /** Called once per container, on a virtual thread. */
  interface OnExit {
    void exited(String id, ContainerProcess process, int exitCode);
  }

  private record Watched(String id, ContainerProcess process, WatchKey key) {}

  private final WatchService watcher;
  private final OnExit onExit;
  private final Map<String, Watched> watched = new ConcurrentHashMap<>();
  private final Map<WatchKey, String> byKey = new ConcurrentHashMap<>();
  private final Thread thread;
  private volatile boolean closed;

  ExitWatcher(OnExit onExit) {
    try {
      this.watcher = FileSystems.getDefault().newWatchService();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create an inotify watch for container exits", e);
    }
    this.onExit = onExit;
    this.thread = Thread.ofPlatform().daemon().name("exit-watcher").start(this::run);
  }

  void watch(String id, ContainerProcess process) {
    Path dir = process.paths().exitDir();
    WatchKey key;
    try {
      key = dir.register(watcher, StandardWatchEventKinds.ENTRY_CREATE);
    } catch (IOException e) {
      // No exit dir (conmon already cleaned up?): the once-a-second check still finds the exit.
      key = null;
    }
    Watched w = new Watched(id, process, key);
    watched.put(id, w);
    if (key != null) {
      byKey.put(key, id);
    }
    check(w); // it may have exited before the watch was in place
  }

  private void run() {
    long nextSweep = System.nanoTime();
    while (!closed) {
      try {
        WatchKey key = watcher.poll(1, TimeUnit.SECONDS);
        if (key != null) {
          key.pollEvents();
          key.reset();
          String id = byKey.get(key);
          Watched w = id == null ? null : watched.get(id);
          if (w != null) {
            check(w);
          }
        }
        if (System.nanoTime() - nextSweep >= 0) {
          watched.values().forEach(this::check);
          nextSweep = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
        }
      } catch (InterruptedException | java.nio.file.ClosedWatchServiceException e) {
        return;
      } catch (RuntimeException e) {
        log.warn("exit watcher: {}", e.getMessage());
      }
    }
  }

  private void check(Watched w) {
    var code = w.process().exitCode();
    if (code.isEmpty() && w.process().conmonRunning()) {
      return;
    }
    if (code.isEmpty()) {
      code = w.process().exitCode(); // conmon writes the file, then exits
    }
    if (watched.remove(w.id(), w)) {
      if (w.key() != null) {
        w.key().cancel();
        byKey.remove(w.key());
      }
      int exitCode = code.orElse(255);
      Thread.ofVirtual().name("exit-" + w.id().substring(0, 12)).start(() -> onExit.exited(w.id(), w.process(), exitCode));
    }
  }

  @Override
  public void close() {
    closed = true;
    try {
      watcher.close();
    } catch (IOException ignored) {
      // closing anyway
    }
    thread.interrupt();
  }
}

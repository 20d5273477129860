package dev.berth.engine.runtime;

import dev.berth.engine.BerthException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@code runc start} without running runc: a created container's init waits to open runc's exec
 * fifo ({@code <root>/<id>/exec.fifo}) for writing; once a reader opens it, init writes one byte
 * and execs the process. runc start is that read and the fifo's removal (runc reports "created"
 * while the fifo exists, "running" after). Doing it here saves a runc process per start (10–30 ms
 * on this host). The fifo is opened read-write, which never blocks; a read that gets no byte
 * (init died, or the timeout passed) is ended by writing one ourselves.
 */
final class RuncExecFifo {
  private RuncExecFifo() {}

  /**
   * Lets the created container's init ({@code initPid}) run. False when there is no fifo (not
   * created, already started, not runc's layout) or init is gone: the caller runs {@code runc
   * start}, which says why.
   *
   * @throws BerthException when init does not answer within {@code timeout}
   */
  static boolean start(Path fifo, int initPid, Duration timeout) {
    try {
      if (!Files.readAttributes(fifo, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).isOther()) {
        return false;
      }
    } catch (IOException absent) {
      return false;
    }
    try (FileChannel ch = FileChannel.open(fifo, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      ByteBuffer got = ByteBuffer.allocate(1);
      CompletableFuture<Integer> read = new CompletableFuture<>();
      Thread.ofVirtual().name("exec-fifo").start(() -> {
        try {
          read.complete(ch.read(got));
        } catch (IOException | RuntimeException e) {
          read.completeExceptionally(e);
        }
      });
      try {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!awaited(read)) {
          if (!Pids.isRunning(initPid)) {
            endRead(fifo);
            return false; // init is gone: runc start says so in its words
          }
          if (System.nanoTime() - deadline > 0) {
            endRead(fifo);
            throw new BerthException("the container's init did not take its start within " + timeout.toSeconds()
                + " s (" + fifo + ")");
          }
        }
      } catch (ExecutionException e) {
        throw new BerthException("cannot read " + fifo + ": " + e.getCause().getMessage(), e.getCause());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new BerthException("interrupted while starting through " + fifo, e);
      }
      if (got.get(0) != '0') {
        throw new BerthException("unexpected byte from the container's init on " + fifo);
      }
      Files.deleteIfExists(fifo);
      return true;
    } catch (IOException e) {
      throw new BerthException("cannot start through " + fifo + ": " + e.getMessage(), e);
    }
  }

  /**
   * Ends our pending read with a byte of our own, through a second channel (a FileChannel's read
   * and write share a lock). Our read-write channel is a reader, so this open does not block.
   */
  private static void endRead(Path fifo) throws IOException {
    try (FileChannel w = FileChannel.open(fifo, StandardOpenOption.WRITE)) {
      w.write(ByteBuffer.wrap(new byte[] {'x'}));
    }
  }

  /** Whether the read ended within a short slice (init answers within microseconds once it can). */
  private static boolean awaited(CompletableFuture<Integer> read) throws ExecutionException, InterruptedException {
    try {
      read.get(100, TimeUnit.MILLISECONDS);
      return true;
    } catch (TimeoutException notYet) {
      return false;
    }
  }
}

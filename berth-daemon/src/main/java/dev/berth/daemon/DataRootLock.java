package dev.berth.daemon;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One berthd per data-root: an fcntl lock on {@code <data-root>/berthd.lock}, which holds the
 * owner's pid. The kernel drops the lock when the owner dies, so a crash never leaves it stale.
 */
public final class DataRootLock implements AutoCloseable {
  private final FileChannel channel;
  private final FileLock lock;

  private DataRootLock(FileChannel channel, FileLock lock) {
    this.channel = channel;
    this.lock = lock;
  }

  /** Thrown when another live process holds the lock. */
  public static final class HeldException extends Exception {
    public HeldException(String message) {
      super(message);
    }
  }

  public static DataRootLock acquire(Path dataRoot) throws IOException, HeldException {
    Files.createDirectories(dataRoot);
    Path file = dataRoot.resolve("berthd.lock");
    FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
        StandardOpenOption.WRITE);
    FileLock lock;
    try {
      lock = channel.tryLock();
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
    if (lock == null) {
      String owner = readOwner(channel);
      channel.close();
      throw new HeldException("data-root " + dataRoot + " is in use by another berthd"
          + (owner.isEmpty() ? "" : " (pid " + owner + ")")
          + "; stop that daemon first, or give this one its own --data-root");
    }
    channel.truncate(0);
    channel.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
    channel.force(true);
    return new DataRootLock(channel, lock);
  }

  private static String readOwner(FileChannel channel) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(32);
    channel.read(buf, 0);
    return new String(buf.array(), 0, buf.position(), StandardCharsets.US_ASCII).strip();
  }

  @Override
  public void close() throws IOException {
    lock.release();
    channel.close();
  }
}

package dev.berth.engine.sys;

import dev.berth.engine.BerthException;
import java.nio.file.FileSystemException;
import java.util.Optional;

/**
 * A write failed because a filesystem is full (ENOSPC, or SQLite's "database or disk is full").
 * The message names the operation and keeps dockerd's words "no space left on device"; the API
 * answers 500 as dockerd does, without a stack trace: the user's fix is to free space, not to
 * read the daemon log.
 */
public final class NoSpaceLeft extends BerthException.Failed {
  private static final String WORDS = "no space left on device";

  public NoSpaceLeft(String operation, Throwable cause) {
    super(operation + " failed: " + WORDS + ": free space on the disk of the data-root and try again", cause);
  }

  /** True if {@code error} or one of its causes is a full disk. */
  public static boolean isCause(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof NoSpaceLeft) {
        return true;
      }
      String message = t instanceof FileSystemException fs && fs.getReason() != null ? fs.getReason() : t.getMessage();
      if (message != null) {
        String m = message.toLowerCase(java.util.Locale.ROOT);
        if (m.contains(WORDS) || m.contains("database or disk is full") || m.contains("sqlite_full")) {
          return true;
        }
      }
    }
    return false;
  }

  /** {@code error} as a NoSpaceLeft naming {@code operation} when a full disk caused it. */
  public static Optional<NoSpaceLeft> of(String operation, Throwable error) {
    if (error instanceof NoSpaceLeft already) {
      return Optional.of(already);
    }
    return isCause(error) ? Optional.of(new NoSpaceLeft(operation, error)) : Optional.empty();
  }

  /** {@code error}, or a NoSpaceLeft naming {@code operation} in its place when a full disk caused it. */
  public static RuntimeException translate(String operation, RuntimeException error) {
    return of(operation, error).<RuntimeException>map(n -> n).orElse(error);
  }
}

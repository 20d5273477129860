package dev.berth.engine.filesystem;

import dev.berth.engine.BerthException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * Reads a client's tar headers: commons-compress reports a malformed header (a PAX value that is
 * not a number, a bad checksum) as an IOException or an IllegalArgumentException, which are the
 * client's error (400), not berthd's (500).
 */
public final class TarHeaders {
  private TarHeaders() {}

  /** Linux's NAME_MAX and PATH_MAX: a longer name fails at creation with ENAMETOOLONG. */
  private static final int NAME_MAX = 255, PATH_MAX = 4095;

  /**
   * The next entry, or null at the end; a header that cannot be parsed, or a name no Linux file
   * system can hold, is an InvalidArgument.
   */
  public static TarArchiveEntry next(TarArchiveInputStream tar, String previous) throws IOException {
    try {
      TarArchiveEntry e = tar.getNextEntry();
      String problem = e == null ? null : nameProblem(e.getName());
      if (problem != null) {
        throw new BerthException.InvalidArgument("invalid tar archive: entry " + abbreviate(e.getName()) + " " + problem);
      }
      return e;
    } catch (IOException | IllegalArgumentException e) {
      if (e instanceof IOException io && !isHeaderError(io)) {
        throw io; // the stream itself failed (the client went away): not a header to complain about
      }
      throw new BerthException.InvalidArgument("invalid tar archive: cannot read the header "
          + (previous == null ? "of the first entry" : "after entry " + previous) + ": " + e.getMessage());
    }
  }

  /**
   * Copies the current entry's content; a tar that ends inside it (commons-compress's plain
   * IOException from the read side) is the client's error, a failing write stays berthd's.
   */
  public static long copyEntry(InputStream tar, OutputStream out, String name) throws IOException {
    byte[] buf = new byte[64 * 1024];
    long total = 0;
    while (true) {
      int n;
      try {
        n = tar.read(buf);
      } catch (IOException e) {
        if (!isHeaderError(e)) {
          throw e;
        }
        throw new BerthException.InvalidArgument("invalid tar archive: entry " + abbreviate(name)
            + " is truncated (" + e.getMessage() + ")");
      }
      if (n < 0) {
        return total;
      }
      out.write(buf, 0, n);
      total += n;
    }
  }

  /** Why {@code name} cannot be a file's path on Linux, or null when it can. */
  public static String nameProblem(String name) {
    if (name.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > PATH_MAX) {
      return "has a name longer than " + PATH_MAX + " bytes";
    }
    for (String part : name.split("/")) {
      if (part.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > NAME_MAX) {
        return "has a path component longer than " + NAME_MAX + " bytes";
      }
    }
    return name.indexOf('\0') >= 0 ? "has a NUL byte in its name" : null;
  }

  private static String abbreviate(String name) {
    return name.length() > 80 ? name.substring(0, 80) + "…" : name;
  }

  private static boolean isHeaderError(IOException e) {
    // commons-compress's header and PAX parsing errors are plain IOExceptions (not subclasses)
    return e.getClass() == IOException.class;
  }
}

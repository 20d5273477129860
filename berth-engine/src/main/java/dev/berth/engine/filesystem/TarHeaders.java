package dev.berth.engine.filesystem;

import dev.berth.engine.BerthException;
import java.io.IOException;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * Reads a client's tar headers: commons-compress reports a malformed header (a PAX value that is
 * not a number, a bad checksum) as an IOException or an IllegalArgumentException, which are the
 * client's error (400), not berthd's (500).
 */
public final class TarHeaders {
  private TarHeaders() {}

  /** The next entry, or null at the end; a header that cannot be parsed is an InvalidArgument. */
  public static TarArchiveEntry next(TarArchiveInputStream tar, String previous) throws IOException {
    try {
      return tar.getNextEntry();
    } catch (IOException | IllegalArgumentException e) {
      if (e instanceof IOException io && !isHeaderError(io)) {
        throw io; // the stream itself failed (the client went away): not a header to complain about
      }
      throw new BerthException.InvalidArgument("invalid tar archive: cannot read the header "
          + (previous == null ? "of the first entry" : "after entry " + previous) + ": " + e.getMessage());
    }
  }

  private static boolean isHeaderError(IOException e) {
    // commons-compress's header and PAX parsing errors are plain IOExceptions (not subclasses)
    return e.getClass() == IOException.class;
  }
}

package dev.berth.cli.client;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/** Byte copies between the daemon's streams and the terminal. */
public final class Streams {
  private Streams() {}

  /**
   * Copies {@code in} to {@code out} until the end, flushing after every read: output to a
   * terminal must show as it comes, and input to a container must reach it keystroke by
   * keystroke ({@code transferTo} flushes only at the end).
   */
  public static void copyFlushing(InputStream in, OutputStream out) throws IOException {
    byte[] buffer = new byte[8192];
    int n;
    while ((n = in.read(buffer)) > 0) {
      out.write(buffer, 0, n);
      out.flush();
    }
  }
}

package dev.berth.engine.microvm;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The guest init's exit report: a line {@code berth-exit CODE} on the serial console, which QEMU
 * appends to the serial log. Not a virtio-serial port of its own: each port costs the guest ~4 MiB
 * of receive buffers (decision 3100). Only a whole line counts (QEMU writes the UART's bytes one
 * at a time, so "berth-exit 1" may be the start of "berth-exit 137").
 */
final class GuestExitLine {
  /** How much of the log's end is read: the kernel prints a line or two after the init's report. */
  static final int TAIL = 4096;
  private static final Pattern LINE = Pattern.compile("(?m)^berth-exit (\\d{1,3})\\r?\\n");

  private GuestExitLine() {}

  /** The last complete report in {@code text}; empty when there is none. */
  static OptionalInt find(String text) {
    Matcher m = LINE.matcher(text);
    OptionalInt code = OptionalInt.empty();
    while (m.find()) {
      code = OptionalInt.of(Integer.parseInt(m.group(1)));
    }
    return code;
  }

  /** The report at the end of the serial log {@code log}; empty while the guest has not made one. */
  static OptionalInt read(Path log) throws IOException {
    try (FileChannel f = FileChannel.open(log, StandardOpenOption.READ)) {
      long size = f.size();
      ByteBuffer buf = ByteBuffer.allocate((int) Math.min(TAIL, size));
      long from = size - buf.capacity();
      while (buf.hasRemaining() && f.read(buf, from + buf.position()) > 0) {
        // until the tail is read
      }
      String text = new String(buf.array(), 0, buf.position(), StandardCharsets.ISO_8859_1);
      // a cut first line is no report: start at the first line break unless the file starts there
      return find(from == 0 ? text : text.substring(text.indexOf('\n') + 1));
    } catch (NoSuchFileException e) {
      return OptionalInt.empty();
    }
  }
}

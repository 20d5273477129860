package dev.berth.engine.microvm;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.OptionalInt;

/**
 * Finds the guest init's reports in the serial console's bytes as berthd reads them from QEMU's
 * console socket, chunk by chunk: the exit report ({@link GuestExitLine}) and the control loop's
 * {@link ControlGate#READY}. A line may arrive in pieces (QEMU passes the UART's bytes on as they
 * come); only a whole line counts, as in the log.
 */
final class ConsoleScanner {
  /** A report is short; a longer line is console noise and is not kept. */
  private static final int MAX_LINE = 64;

  private final StringBuilder line = new StringBuilder();
  private boolean overlong;
  private boolean ready;

  /** Consumes {@code bytes} (position to limit); the code of the last report they completed, if any. */
  OptionalInt feed(ByteBuffer bytes) {
    OptionalInt code = OptionalInt.empty();
    while (bytes.hasRemaining()) {
      char c = (char) (bytes.get() & 0xff);
      if (c == '\n') {
        if (!overlong && isReadyLine(line)) {
          ready = true;
        }
        if (!overlong) {
          OptionalInt found = GuestExitLine.find(line + "\n");
          if (found.isPresent()) {
            code = found;
          }
        }
        line.setLength(0);
        overlong = false;
      } else if (line.length() < MAX_LINE) {
        line.append(c);
      } else {
        overlong = true;
      }
    }
    return code;
  }

  /** Whether a {@link ControlGate#READY} line has been fed. */
  boolean ready() {
    return ready;
  }

  /** A line (without its newline) that is the control loop's ready report; the console adds a CR. */
  static boolean isReadyLine(CharSequence line) {
    String s = line.toString();
    return s.equals(ControlGate.READY) || s.equals(ControlGate.READY + "\r");
  }

  /** Whether {@code text} (a serial log) has the ready report on a line of its own. */
  static boolean hasReadyLine(String text) {
    return text.lines().anyMatch(ConsoleScanner::isReadyLine);
  }

  /** For tests: feeds a string. */
  OptionalInt feed(String text) {
    return feed(ByteBuffer.wrap(text.getBytes(StandardCharsets.ISO_8859_1)));
  }
}

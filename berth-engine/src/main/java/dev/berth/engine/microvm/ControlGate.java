package dev.berth.engine.microvm;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds the lines for the guest init's control channel (signal numbers, resizes, the agent's
 * wake) until the init's control loop reads the console, then sends them in order. A line that
 * reaches the guest earlier is lost: the kernel's 8250 driver clears the UART's FIFO when the
 * console is opened, and nothing reads ttyS0 before the control loop, so a {@code stop} in the
 * first seconds of a boot under TCG never reached the process and waited its whole timeout
 * (decision 3600). The init says {@code berth-ready} on the console when its loop starts.
 */
final class ControlGate {
  private static final Logger log = LoggerFactory.getLogger(ControlGate.class);

  /** The init's line when its control loop reads the console. */
  static final String READY = "berth-ready";

  private final Consumer<String> sender;
  private final List<String> held = new ArrayList<>();
  private boolean open;

  /** {@code sender} writes one line to the console; it may throw, and is called under this gate's lock. */
  ControlGate(Consumer<String> sender) {
    this.sender = sender;
  }

  /** Sends {@code line} now when the guest reads the console, else holds it (after the lines held before). */
  synchronized void send(String line) {
    if (open) {
      sender.accept(line);
    } else {
      held.add(line);
    }
  }

  /** The guest reads its console: what was held goes now, in order, and later lines at once. */
  synchronized void open() {
    if (open) {
      return;
    }
    open = true;
    for (String line : held) {
      try {
        sender.accept(line);
      } catch (RuntimeException e) {
        log.debug("a held control line could not be sent: {}", e.getMessage());
      }
    }
    held.clear();
  }

  synchronized boolean isOpen() {
    return open;
  }

  /** Lines held so far (for tests and the debug log). */
  synchronized List<String> held() {
    return List.copyOf(held);
  }
}

package dev.berth.daemon.cri.streaming;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayDeque;

/**
 * A stream's input as a blocking {@link InputStream}: the event loop offers the chunks a client
 * sent, a worker thread reads them. The end of input (the client's FIN, a v5 close signal, or the
 * connection's end) is {@link #finish}.
 */
final class InboundPipe extends InputStream {
  private final ReadBudget budget;
  private final ArrayDeque<byte[]> chunks = new ArrayDeque<>();
  private byte[] current;
  private int position;
  private boolean finished;
  private boolean closed;

  InboundPipe(ReadBudget budget) {
    this.budget = budget;
  }

  /** Called by the event loop with what the client sent. */
  synchronized void offer(byte[] data) {
    if (finished || closed || data.length == 0) {
      return;
    }
    chunks.add(data);
    budget.add(data.length);
    notifyAll();
  }

  /** No more input will come. */
  synchronized void finish() {
    finished = true;
    notifyAll();
  }

  synchronized boolean finished() {
    return finished;
  }

  @Override
  public synchronized int read(byte[] b, int off, int len) throws IOException {
    if (len == 0) {
      return 0;
    }
    while (current == null) {
      if (closed) {
        throw new IOException("stream closed");
      }
      byte[] next = chunks.poll();
      if (next != null) {
        current = next;
        position = 0;
      } else if (finished) {
        return -1;
      } else {
        try {
          wait();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new java.io.InterruptedIOException("interrupted while waiting for input");
        }
      }
    }
    int n = Math.min(len, current.length - position);
    System.arraycopy(current, position, b, off, n);
    position += n;
    if (position == current.length) {
      current = null;
    }
    budget.take(n);
    return n;
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public synchronized int available() {
    return current == null ? 0 : current.length - position;
  }

  /** The reader is done: what waits is dropped and what comes is ignored. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    long dropped = current == null ? 0 : current.length - position;
    for (byte[] c : chunks) {
      dropped += c.length;
    }
    chunks.clear();
    current = null;
    budget.take(dropped);
    notifyAll();
  }
}

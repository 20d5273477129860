package dev.berth.daemon.cri.streaming;

import io.netty.channel.Channel;

/**
 * How much of a connection's input waits unread in its streams: past {@value #HIGH} bytes the
 * connection stops reading from the socket until the readers are back under {@value #LOW}, so a
 * client cannot fill berthd's memory faster than a process reads its stdin. One budget per
 * connection: like Go's spdystream, a stream nobody reads holds up the others.
 */
final class ReadBudget {
  static final long HIGH = 1 << 20;
  static final long LOW = 256 << 10;

  private final Channel channel;
  private long queued;

  ReadBudget(Channel channel) {
    this.channel = channel;
  }

  synchronized void add(long bytes) {
    queued += bytes;
    if (queued > HIGH && channel.config().isAutoRead()) {
      channel.config().setAutoRead(false);
    }
  }

  synchronized void take(long bytes) {
    queued -= bytes;
    if (queued < LOW && !channel.config().isAutoRead()) {
      channel.config().setAutoRead(true);
    }
  }
}

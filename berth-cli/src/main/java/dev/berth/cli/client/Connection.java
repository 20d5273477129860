package dev.berth.cli.client;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;

/** One connection to the daemon: a plain socket, or TLS ({@link TlsConnector}, loaded only then). */
interface Connection extends AutoCloseable {
  InputStream input();

  OutputStream output();

  /** The daemon reads an end of input; its output keeps coming. */
  void shutdownOutput() throws IOException;

  @Override
  void close() throws IOException;

  /** A unix or TCP socket through a JDK SocketChannel. */
  final class Plain implements Connection {
    private final SocketChannel channel;
    private final InputStream in;
    private final OutputStream out;

    private Plain(SocketChannel channel) {
      this.channel = channel;
      this.in = Channels.newInputStream(channel);
      this.out = Channels.newOutputStream(channel);
    }

    static Plain open(DaemonAddress address) throws IOException {
      SocketChannel channel = address instanceof DaemonAddress.Unix
          ? SocketChannel.open(StandardProtocolFamily.UNIX)
          : SocketChannel.open();
      try {
        channel.connect(address.socketAddress());
        return new Plain(channel);
      } catch (IOException | RuntimeException e) {
        channel.close();
        throw e;
      }
    }

    @Override
    public InputStream input() {
      return in;
    }

    @Override
    public OutputStream output() {
      return out;
    }

    @Override
    public void shutdownOutput() throws IOException {
      channel.shutdownOutput();
    }

    @Override
    public void close() throws IOException {
      channel.close();
    }
  }
}

package dev.berth.engine.runtime;

import dev.berth.engine.sys.SeqPacketSocket;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * A connection to conmon's attach socket. conmon sends each chunk the container writes as one
 * packet: a byte naming the stream (2 stdout, 3 stderr) and up to 8192 bytes of data; what we
 * send is written raw to the container's stdin (when launched with stdin). Output written before
 * the connection is not replayed: attach before start to see everything.
 */
public final class AttachSession implements AutoCloseable {
  private static final int STDIO_BUF_SIZE = 8192;

  /** One chunk of output. */
  public record Frame(LogEntry.Stream stream, byte[] data) {}

  /**
   * Where the frames come from: conmon's socket, or another supervisor's output (a microVM's
   * log pump) that speaks the same frames.
   */
  public interface Endpoint {
    /** The next chunk of output; null when the output ended. */
    Frame read() throws IOException;

    void writeStdin(byte[] data) throws IOException;

    void closeStdin() throws IOException;

    void close() throws IOException;
  }

  private final Endpoint endpoint;

  private AttachSession(Endpoint endpoint) {
    this.endpoint = endpoint;
  }

  /** A session over any endpoint. */
  public static AttachSession of(Endpoint endpoint) {
    return new AttachSession(endpoint);
  }

  static AttachSession connect(Path attachSocket) throws IOException {
    return new AttachSession(new ConmonSocket(SeqPacketSocket.connect(attachSocket, STDIO_BUF_SIZE + 1)));
  }

  /** The next chunk of output; null when the container's output ended. Blocks a platform thread. */
  public Frame read() throws IOException {
    return endpoint.read();
  }

  public void writeStdin(byte[] data) throws IOException {
    endpoint.writeStdin(data);
  }

  /** Closes the container's stdin (unless conmon was told to leave it open). */
  public void closeStdin() throws IOException {
    endpoint.closeStdin();
  }

  @Override
  public void close() throws IOException {
    endpoint.close();
  }

  /** conmon's attach socket. */
  private record ConmonSocket(SeqPacketSocket socket) implements Endpoint {
    @Override
    public Frame read() throws IOException {
      while (true) {
        byte[] packet = socket.receive();
        if (packet == null) {
          return null;
        }
        if (packet.length == 0) {
          continue;
        }
        LogEntry.Stream stream =
            switch (packet[0]) {
              case 2 -> LogEntry.Stream.STDOUT;
              case 3 -> LogEntry.Stream.STDERR;
              default -> null;
            };
        if (stream != null) {
          return new Frame(stream, Arrays.copyOfRange(packet, 1, packet.length));
        }
      }
    }

    @Override
    public void writeStdin(byte[] data) throws IOException {
      socket.send(data);
    }

    @Override
    public void closeStdin() throws IOException {
      socket.shutdownOutput();
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }
}

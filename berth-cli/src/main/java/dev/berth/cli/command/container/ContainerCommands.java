package dev.berth.cli.command.container;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.cli.BerthCli;
import dev.berth.cli.client.DaemonClient;
import dev.berth.cli.client.Streams;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine.Model.CommandSpec;

/** What the container commands share: the client, path encoding, and Docker's stream format. */
public final class ContainerCommands {
  private ContainerCommands() {}

  static DaemonClient client(CommandSpec spec) {
    return BerthCli.from(spec).client();
  }

  static PrintWriter out(CommandSpec spec) {
    return spec.commandLine().getOut();
  }

  static PrintWriter err(CommandSpec spec) {
    return spec.commandLine().getErr();
  }

  static String path(String nameOrId) {
    return "/containers/" + URLEncoder.encode(nameOrId, StandardCharsets.UTF_8);
  }

  static JsonNode inspect(CommandSpec spec, String nameOrId) {
    return client(spec).json("GET", path(nameOrId) + "/json", null);
  }

  /**
   * Copies a container's output to our stdout/stderr until the daemon ends it: raw with a TTY,
   * else Docker's multiplexed frames (8-byte header: stream, 0, 0, 0, big-endian size).
   */
  static void copyOutput(InputStream in, boolean tty, OutputStream stdout, OutputStream stderr) throws IOException {
    if (tty) {
      Streams.copyFlushing(in, stdout);
      return;
    }
    byte[] systemError = copyFrames(in, stdout, stderr);
    if (systemError != null) {
      stderr.write(systemError);
      stderr.flush();
    }
  }

  /**
   * Copies Docker's multiplexed frames (stream 1 to stdout, 2 to stderr) until the stream ends
   * or a frame of stream 3 comes, whose data it returns (null at the end). Docker sends an error
   * there; berthd's run endpoint, the run's status.
   */
  static byte[] copyFrames(InputStream in, OutputStream stdout, OutputStream stderr) throws IOException {
    byte[] header = new byte[8];
    while (in.readNBytes(header, 0, 8) == 8) {
      int size = ((header[4] & 0xff) << 24) | ((header[5] & 0xff) << 16) | ((header[6] & 0xff) << 8) | (header[7] & 0xff);
      byte[] data = in.readNBytes(size);
      if (header[0] == 3) {
        return data;
      }
      OutputStream target = header[0] == 2 ? stderr : stdout;
      target.write(data);
      target.flush();
      if (data.length < size) {
        return null;
      }
    }
    return null;
  }

  /** Docker's short container ID. */
  static String shortId(String id) {
    return id.length() > 12 ? id.substring(0, 12) : id;
  }

  /** Runs the terminal in raw mode (no echo, no line editing) until {@link Restore#close()}. */
  static final class RawTerminal implements AutoCloseable {
    private final String saved;

    private RawTerminal(String saved) {
      this.saved = saved;
    }

    static RawTerminal enter() {
      String saved = stty("-g").strip();
      stty("raw", "-echo");
      return new RawTerminal(saved);
    }

    /** "rows cols" of the controlling terminal, or null when there is none. */
    static int[] size() {
      String s = stty("size").strip();
      String[] p = s.split("\\s+");
      if (p.length != 2) {
        return null;
      }
      try {
        return new int[] {Integer.parseInt(p[0]), Integer.parseInt(p[1])};
      } catch (NumberFormatException e) {
        return null;
      }
    }

    /** Calls {@code resized} with the new "rows cols" each time the window changes (SIGWINCH). */
    @SuppressWarnings("sunapi") // the JDK's only way to catch a signal
    static void onResize(java.util.function.Consumer<int[]> resized) {
      try {
        sun.misc.Signal.handle(new sun.misc.Signal("WINCH"), signal -> Thread.ofVirtual().start(() -> {
          int[] size = size();
          if (size != null) {
            resized.accept(size);
          }
        }));
      } catch (IllegalArgumentException unsupported) {
        // a JVM that keeps SIGWINCH: the size stays the one at the start
      }
    }

    private static String stty(String... args) {
      String[] cmd = new String[args.length + 1];
      cmd[0] = "stty";
      System.arraycopy(args, 0, cmd, 1, args.length);
      try {
        Process p = new ProcessBuilder(cmd).redirectInput(new java.io.File("/dev/tty"))
            .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        return out;
      } catch (IOException e) {
        return "";
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return "";
      }
    }

    @Override
    public void close() {
      if (!saved.isEmpty()) {
        stty(saved);
      }
    }
  }

  static boolean stdinIsTerminal() {
    return System.console() != null && System.console().isTerminal();
  }

  /** Copies our stdin to an attach, then tells the daemon it ended (as docker does at EOF). */
  static void copyStdin(DaemonClient.RawConnection conn) {
    try {
      Streams.copyFlushing(System.in, conn.output());
      conn.closeOutput();
    } catch (IOException e) {
      // the container ended the attach
    }
  }
}

package dev.berth.cli.command.vm;

import dev.berth.cli.client.DaemonClient;
import dev.berth.cli.client.Streams;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code berth vm console}: the VM's serial console, interactive. The local terminal goes raw
 * while attached (so ctrl-c reaches the guest); ctrl-p ctrl-q detaches.
 */
@Command(name = "console", mixinStandardHelpOptions = true,
    description = "Attach to a VM's serial console (detach with ctrl-p ctrl-q)")
final class VmConsoleCommand implements Callable<Integer> {
  @ParentCommand
  VmCommand vm;

  @Option(names = "--detach-keys", paramLabel = "KEYS", defaultValue = DetachKeys.DEFAULT,
      description = "Key sequence for detaching (default: ${DEFAULT-VALUE})")
  String detachKeys;

  @Parameters(paramLabel = "VM", description = "VM name or ID")
  String ref;

  @Override
  public Integer call() throws Exception {
    DetachKeys keys = DetachKeys.parse(detachKeys);
    DaemonClient.RawConnection conn = vm.client().upgrade("POST", VmCommand.vmPath(ref, "console"), null);
    boolean tty = System.console() != null && System.console().isTerminal();
    String saved = tty ? stty("-g").strip() : null;
    AtomicBoolean detached = new AtomicBoolean();
    try (conn) {
      if (tty) {
        stty("raw", "-echo");
        System.err.print("Connected to the console; detach with " + detachKeys + "\r\n");
      }
      Thread input = Thread.ofVirtual().name("console-stdin").start(() -> copyInput(conn, keys, detached));
      try {
        Streams.copyFlushing(conn.input(), System.out);
      } catch (IOException e) {
        if (!detached.get()) {
          throw e;
        }
      }
      input.interrupt();
    } finally {
      if (tty) {
        stty(saved);
        System.err.println();
      }
    }
    return 0;
  }

  /** stdin to the console, until EOF or the detach keys; then our side of the connection closes. */
  private static void copyInput(DaemonClient.RawConnection conn, DetachKeys keys, AtomicBoolean detached) {
    DetachKeys.Matcher matcher = new DetachKeys.Matcher(keys);
    byte[] buffer = new byte[1024];
    try {
      OutputStream toGuest = conn.output();
      int n;
      while ((n = System.in.read(buffer)) > 0) {
        ByteArrayOutputStream forward = new ByteArrayOutputStream(n);
        for (int i = 0; i < n; i++) {
          byte[] now = matcher.feed(buffer[i]);
          if (now == null) {
            toGuest.write(forward.toByteArray());
            toGuest.flush();
            detached.set(true);
            conn.close();
            return;
          }
          forward.write(now);
        }
        toGuest.write(forward.toByteArray());
        toGuest.flush();
      }
      conn.closeOutput();
    } catch (IOException e) {
      // the connection ended first
    }
  }

  /** Runs stty on the controlling terminal (stty acts on its stdin); its output. */
  private static String stty(String... args) throws IOException, InterruptedException {
    String[] cmd = new String[args.length + 1];
    cmd[0] = "stty";
    System.arraycopy(args, 0, cmd, 1, args.length);
    Process p = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/tty")))
        .redirectError(ProcessBuilder.Redirect.INHERIT).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    p.waitFor();
    return out;
  }
}

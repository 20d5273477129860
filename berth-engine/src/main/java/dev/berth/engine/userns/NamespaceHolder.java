package dev.berth.engine.userns;

import dev.berth.engine.BerthException;
import dev.berth.engine.runtime.spec.Linux.IdMapping;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A user namespace with a remapping's ids and a network namespace it owns, held by a sleeping
 * process until the container has joined them ({@link #close} after the runtime's create).
 * Why: a network namespace made beforehand by berthd (for CNI) belongs to the host's user
 * namespace, and runc cannot mount /sys in a container whose user namespace does not own its
 * network namespace; dockerd avoids this by letting runc make the namespace and networking it
 * from a hook. Here both are made first, the network one inside the user one, so CNI still
 * runs beside the runtime's create. Decision 2000.
 */
public final class NamespaceHolder implements AutoCloseable {
  private final Process process;

  private NamespaceHolder(Process process) {
    this.process = process;
  }

  /** Starts the holder: {@code unshare --user --net}, then the maps written as root does, loopback up. */
  public static NamespaceHolder start(Remapping r) {
    Process p;
    try {
      p = new ProcessBuilder("unshare", "--user", "--net", "--", "sleep", "3600")
          .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    } catch (IOException e) {
      throw new BerthException.Unavailable("cannot run unshare (util-linux) for a user namespace: " + e.getMessage(), e);
    }
    NamespaceHolder holder = new NamespaceHolder(p);
    try {
      holder.awaitUnshared();
      Path proc = Path.of("/proc", Long.toString(p.pid()));
      Files.writeString(proc.resolve("uid_map"), lines(r.uids()), StandardCharsets.US_ASCII);
      Files.writeString(proc.resolve("gid_map"), lines(r.gids()), StandardCharsets.US_ASCII);
      run(List.of("nsenter", "--net=" + proc.resolve("ns/net"), "ip", "link", "set", "lo", "up"));
      return holder;
    } catch (IOException | RuntimeException e) {
      holder.close();
      throw new BerthException("cannot prepare the user namespace of a remapped container: " + e.getMessage(), e);
    }
  }

  /** The held user namespace, for the spec. */
  public Path userns() {
    return Path.of("/proc", Long.toString(process.pid()), "ns", "user");
  }

  /** The held network namespace, to bind on the container's netns file. */
  public Path netns() {
    return Path.of("/proc", Long.toString(process.pid()), "ns", "net");
  }

  /** The container joined them: they live on in it (and the netns in its bind mount). */
  @Override
  public void close() {
    process.destroyForcibly();
    try {
      process.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** unshare has made the namespaces once its user namespace differs from ours (then it execs sleep). */
  private void awaitUnshared() throws IOException {
    Path mine = Files.readSymbolicLink(Path.of("/proc/self/ns/user"));
    Path its = Path.of("/proc", Long.toString(process.pid()), "ns", "user");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IOException("unshare --user --net exited with " + process.exitValue());
      }
      try {
        if (!Files.readSymbolicLink(its).equals(mine)) {
          return;
        }
      } catch (IOException racing) {
        // not there yet
      }
      try {
        Thread.sleep(1); // polling a kernel state no event announces; bounded by the deadline
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted");
      }
    }
    throw new IOException("unshare did not make a user namespace within 10 s");
  }

  private static String lines(List<IdMapping> mappings) {
    StringBuilder b = new StringBuilder();
    for (IdMapping m : mappings) {
      b.append(m.containerID()).append(' ').append(m.hostID()).append(' ').append(m.size()).append('\n');
    }
    return b.toString();
  }

  private static void run(List<String> argv) throws IOException {
    Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    try {
      if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
        p.destroyForcibly();
        throw new IOException(String.join(" ", argv) + " failed: " + out.strip());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted");
    }
  }
}

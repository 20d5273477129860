package dev.berth.engine.runtime;

import dev.berth.engine.runtime.spec.ProcessSpec;
import dev.berth.engine.runtime.spec.SpecJson;
import dev.berth.engine.sys.LinuxFs;
import dev.berth.engine.sys.SealedMemfd;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A container's healthcheck runner (docs/decisions/2300): the static program built from
 * {@code src/main/c/health-runner.c}, started once in the running container by {@code runc exec
 * --detach --preserve-fds 1} as {@code /proc/self/fd/3} (a sealed memfd of berthd's), so it is
 * confined as any exec is — the container's namespaces, cgroup, seccomp filter, capabilities,
 * user, env and cwd — and then asked over a FIFO pair to fork and exec each check. The framing
 * is described in health-runner.c.
 *
 * <p>A read from a FIFO cannot be cut short by closing its channel (the JDK waits for the
 * reader), so berthd keeps a write end of the answer FIFO: a runner that does not answer in
 * time (a frozen container, a runner that died) is given up by writing past any frame into it.
 */
public final class HealthRunner implements AutoCloseable {
  private static final String RESOURCE = "health-runner";
  private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
  /** How long past a check's own timeout the runner may take to answer before it is given up. */
  private static final Duration GRACE = Duration.ofSeconds(5);
  private static final int MAX_OUTPUT = 4096;
  private static final int EINVAL = 22;
  private static final byte[] GIVE_UP = filled(2 * (13 + MAX_OUTPUT)); // longer than any answer
  private static final int WAITING = 0;
  private static final int ANSWERED = 1;
  private static final int GIVEN_UP = 2;

  /** How a check went. */
  public sealed interface Outcome {
    /** It exited with {@code code} (128 + signal when killed); the first 4096 of its {@code total} bytes of output. */
    record Exited(int code, byte[] output, long total) implements Outcome {}

    /** The runner killed it (its process group) at its timeout. */
    record TimedOut() implements Outcome {}

    /** It could not be started (the errno of fork or exec): nothing ran. */
    record NotStarted(int errno) implements Outcome {}

    /** No answer within the timeout and a grace (a frozen container, a runner that died): it is given up. */
    record Unanswered() implements Outcome {}
  }

  private static Optional<SealedMemfd> executable;

  private final FileChannel requests;
  private final FileChannel answers;
  private final FileChannel answersWriteEnd;
  private final AtomicInteger check = new AtomicInteger(ANSWERED);
  private volatile boolean closed;

  private HealthRunner(FileChannel requests, FileChannel answers, FileChannel answersWriteEnd) {
    this.requests = requests;
    this.answers = answers;
    this.answersWriteEnd = answersWriteEnd;
  }

  /** The runner program, loaded once into a sealed memfd; empty when this build has none. */
  public static synchronized Optional<Path> executable() throws IOException {
    if (executable == null) {
      try (InputStream in = HealthRunner.class.getResourceAsStream(RESOURCE)) {
        executable = in == null ? Optional.empty() : Optional.of(SealedMemfd.of("berth-health-runner", in.readAllBytes()));
      }
    }
    return executable.map(SealedMemfd::path);
  }

  /**
   * Starts a runner in the running container {@code containerId} with the process an exec there
   * would get ({@code process}: user, env, cwd, capabilities…); its FIFOs and spec live in
   * {@code dir} only while it starts.
   */
  public static HealthRunner start(OciRuntime runtime, String containerId, ProcessSpec process, Path dir)
      throws IOException {
    Path binary = executable().orElseThrow(() -> new IOException("this build has no health-runner program"));
    Files.createDirectories(dir);
    String base = "runner-" + containerId;
    Path in = dir.resolve(base + ".in");
    Path out = dir.resolve(base + ".out");
    Path spec = dir.resolve(base + ".json");
    Path log = dir.resolve(base + ".log");
    List<FileChannel> opened = new ArrayList<>();
    boolean started = false;
    try {
      for (Path fifo : List.of(in, out)) {
        Files.deleteIfExists(fifo);
        LinuxFs.mknod(fifo, LinuxFs.S_IFIFO | 0600, 0);
      }
      // An end opened read-write first lets the others open without waiting for the runner.
      FileChannel heldIn = open(opened, in, StandardOpenOption.READ, StandardOpenOption.WRITE);
      FileChannel requests = open(opened, in, StandardOpenOption.WRITE);
      FileChannel answersWriteEnd = open(opened, out, StandardOpenOption.READ, StandardOpenOption.WRITE);
      FileChannel answers = open(opened, out, StandardOpenOption.READ);
      Files.write(spec, SpecJson.toBytes(runnerProcess(process)));
      // The program itself launches runc, as a subreaper of the runner's first process (see health-runner.c).
      List<String> argv = new ArrayList<>(List.of("/bin/sh", "-c",
          "exec 3<&0 <\"$BERTH_IN\" >\"$BERTH_OUT\"; exec /proc/self/fd/3 --launch \"$@\"", "sh",
          runtime.binary().toString()));
      argv.addAll(runtime.globalArgs());
      argv.addAll(List.of("exec", "--detach", "--preserve-fds", "1", "--process", spec.toString(), containerId));
      ProcessBuilder pb = new ProcessBuilder(argv).redirectInput(binary.toFile())
          .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(log.toFile());
      pb.environment().put("BERTH_IN", in.toString());
      pb.environment().put("BERTH_OUT", out.toString());
      Process launcher = pb.start();
      if (!launcher.waitFor(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        launcher.destroyForcibly();
        throw new IOException(runtime.name() + " exec of the health runner took over " + START_TIMEOUT.toSeconds() + " s");
      }
      if (launcher.exitValue() != 0) {
        throw new IOException(OciRuntime.errorMessage(Files.readString(log)));
      }
      heldIn.close(); // from here the runner is the reader: its end gone, a request fails at once
      started = true;
      return new HealthRunner(requests, answers, answersWriteEnd);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while starting the health runner", e);
    } finally {
      if (!started) {
        for (FileChannel ch : opened) {
          closeQuietly(ch);
        }
      }
      for (Path p : List.of(in, out, spec, log)) {
        Files.deleteIfExists(p);
      }
    }
  }

  /**
   * Runs {@code argv} (execvp'd, in the container's PATH) with {@code timeout}. IOException: the
   * runner is gone (it died before the request, or its pipes broke): nothing was run.
   */
  public Outcome check(List<String> argv, Duration timeout) throws IOException {
    Optional<ByteBuffer> frame = request(argv, timeout);
    if (frame.isEmpty()) {
      return new Outcome.NotStarted(EINVAL); // an argument no C string holds; the runtime says why
    }
    if (closed) {
      throw new IOException("the health runner was closed");
    }
    check.set(WAITING);
    Thread watchdog = Thread.ofVirtual().start(() -> watch(timeout.plus(GRACE)));
    try {
      while (frame.get().hasRemaining()) {
        requests.write(frame.get());
      }
      int length = read(4).getInt();
      if (length < 9 || length > 9 + MAX_OUTPUT) {
        throw new IOException("the health runner sent a frame of " + length + " bytes");
      }
      ByteBuffer answer = read(length);
      if (!check.compareAndSet(WAITING, ANSWERED) || closed) {
        return new Outcome.Unanswered();
      }
      return answer(answer);
    } catch (IOException e) {
      if (check.get() == GIVEN_UP || closed) {
        return new Outcome.Unanswered();
      }
      throw e;
    } finally {
      watchdog.interrupt();
    }
  }

  /** A request frame (see health-runner.c); empty when an argument holds a NUL byte. */
  static Optional<ByteBuffer> request(List<String> argv, Duration timeout) {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.writeBytes(ByteBuffer.allocate(4).putInt((int) Math.clamp(timeout.toMillis(), 1, 0xFFFF_FFFFL)).array());
    for (String arg : argv) {
      byte[] bytes = arg.getBytes(StandardCharsets.UTF_8);
      for (byte b : bytes) {
        if (b == 0) {
          return Optional.empty();
        }
      }
      body.writeBytes(bytes);
      body.write(0);
    }
    return Optional.of(ByteBuffer.allocate(4 + body.size()).putInt(body.size()).put(body.toByteArray()).flip());
  }

  /** An answer frame's body, after its length (see health-runner.c). */
  static Outcome answer(ByteBuffer answer) throws IOException {
    byte kind = answer.get();
    int code = answer.getInt();
    long total = Integer.toUnsignedLong(answer.getInt());
    byte[] output = new byte[answer.remaining()];
    answer.get(output);
    return switch (kind) {
      case 'E' -> new Outcome.Exited(code, output, total);
      case 'T' -> new Outcome.TimedOut();
      case 'F' -> new Outcome.NotStarted(code);
      default -> throw new IOException("the health runner sent an answer of kind " + kind);
    };
  }

  /** Ends the runner: it reads the end of its input and exits (a check it runs is killed). */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    unblockReader();
    closeQuietly(requests);
    closeQuietly(answersWriteEnd);
    closeQuietly(answers);
  }

  /**
   * Gives the runner up when no answer came by {@code limit}: the reader is freed, and the runner
   * (once thawed, if frozen) reads the end of its input and exits.
   */
  private void watch(Duration limit) {
    try {
      Thread.sleep(limit);
    } catch (InterruptedException answered) {
      return;
    }
    if (check.compareAndSet(WAITING, GIVEN_UP)) {
      close();
    }
  }

  private void unblockReader() {
    try {
      answersWriteEnd.write(ByteBuffer.wrap(GIVE_UP));
    } catch (IOException ignored) {
      // closed already: no reader waits
    }
  }

  private ByteBuffer read(int n) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(n);
    while (buf.hasRemaining()) {
      if (answers.read(buf) < 0) {
        throw new EOFException("the health runner ended");
      }
    }
    return buf.flip();
  }

  /** The runner's process: the exec's, with the runner as its program. */
  static ProcessSpec runnerProcess(ProcessSpec exec) {
    return new ProcessSpec(false, null, exec.user(), List.of("/proc/self/fd/3", "berth-health-runner"), exec.env(),
        exec.cwd(), exec.capabilities(), exec.rlimits(), exec.noNewPrivileges(), exec.apparmorProfile(),
        exec.oomScoreAdj());
  }

  private static FileChannel open(List<FileChannel> opened, Path path, StandardOpenOption... options)
      throws IOException {
    FileChannel ch = FileChannel.open(path, options);
    opened.add(ch);
    return ch;
  }

  private static void closeQuietly(FileChannel ch) {
    try {
      ch.close();
    } catch (IOException ignored) {
      // nothing more to do with it
    }
  }

  private static byte[] filled(int n) {
    byte[] b = new byte[n];
    Arrays.fill(b, (byte) 0xFF);
    return b;
  }
}

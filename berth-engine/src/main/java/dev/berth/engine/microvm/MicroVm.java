package dev.berth.engine.microvm;

import dev.berth.engine.BerthException;
import dev.berth.engine.runtime.AttachSession;
import dev.berth.engine.vm.QmpClient;
import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.IntConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running microVM container: its QEMU process (detached; not berthd's child), and the pump
 * that follows its output until QEMU ends, then reports the exit code once.
 */
public final class MicroVm {
  private static final Logger log = LoggerFactory.getLogger(MicroVm.class);
  private static final Duration POLL = Duration.ofMillis(10);
  /**
   * How often the follower looks whether QEMU is gone once it was told to end: QEMU quits within a
   * few milliseconds of SIGTERM, and each look is a read of /proc.
   */
  private static final Duration ENDING_POLL = Duration.ofMillis(2);
  private static final Duration QUIT_GRACE = Duration.ofSeconds(5);
  /** How long an interactive exec waits for the guest's agent to come up (a boot under TCG on a loaded machine). */
  private static final Duration AGENT_UP = Duration.ofSeconds(120);

  private final String id;
  private final MicroVmPaths paths;
  private final long pid;
  private final OutputPump pump;
  private final GuestAgent agent;
  private final MicroVmRuntime.Stdio stdio;
  private final ExecSlots slots;
  /** The main process's stdin (or terminal) socket, while connected. */
  private volatile SocketChannel stdin;
  /** Completes when the guest opened the stdin port (it says so with a byte). */
  private final java.util.concurrent.CompletableFuture<Void> stdinReady = new java.util.concurrent.CompletableFuture<>();
  private volatile boolean hardStopped;
  private volatile boolean closed;
  private volatile Thread thread;
  /** The exit report as read from the console socket (QEMU writes the serial log after the socket). */
  private volatile OptionalInt streamedExit = OptionalInt.empty();

  MicroVm(String id, MicroVmPaths paths, long pid, Path log) {
    this.id = id;
    this.paths = paths;
    this.pid = pid;
    this.pump = new OutputPump(paths, log);
    this.agent = new GuestAgent(paths.agentSocket(), this::wakeAgent);
    this.slots = new ExecSlots(paths);
    MicroVmRuntime.Stdio mode;
    try {
      mode = MicroVmRuntime.Stdio.parse(Files.readString(paths.share().resolve("stdio")));
    } catch (IOException e) {
      mode = MicroVmRuntime.Stdio.NONE;
    }
    this.stdio = mode;
    this.outputOverPorts = !mode.tty() && !pump.fromShare();
  }

  /**
   * Connects the main process's stdin: the terminal's socket with a TTY (whose output is read
   * and dropped here: QEMU logs it to the stdout file, which the pump follows), else the stdin
   * port's with -i. Held while the VM runs, so the guest's reads block instead of ending.
   */
  void connectStdio() {
    if (!stdio.openStdin() && !stdio.tty()) {
      return;
    }
    Path socket = stdio.tty() ? paths.mainTtySocket() : paths.stdinSocket();
    try {
      SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(socket));
      stdin = ch;
      if (!stdio.tty()) {
        GuestExec.awaitReady(ch, stdinReady);
      } else {
        Thread.ofVirtual().name("microvm-tty-" + id.substring(0, 12)).start(() -> {
          ByteBuffer drop = ByteBuffer.allocate(16384);
          try {
            while (ch.read(drop.clear()) >= 0) {
              // the copy in the stdout file is the one that counts
            }
          } catch (IOException closed) {
            // the VM or berthd ended
          }
        });
      }
    } catch (IOException e) {
      log.warn("container {}: cannot connect the microVM's stdin: {}", id.substring(0, 12), e.getMessage());
    }
  }

  private final OutputPump.StdinSink stdinSink = new OutputPump.StdinSink() {
    @Override
    public void write(byte[] data) throws IOException {
      SocketChannel ch = stdin;
      if (ch == null) {
        return;
      }
      if (!stdio.tty()) {
        GuestExec.await(stdinReady); // bytes that reach the port before the guest opened it are dropped
      }
      ByteBuffer buf = ByteBuffer.wrap(data);
      synchronized (this) {
        while (buf.hasRemaining()) {
          ch.write(buf);
        }
      }
    }

    @Override
    public void close() throws IOException {
      // As conmon: only StdinOnce closes the process's stdin with the client's; a terminal stays.
      SocketChannel ch = stdin;
      if (stdio.stdinOnce() && !stdio.tty() && ch != null) {
        stdin = null;
        stdinReady.thenRun(() -> GuestExec.closeLater(ch)); // what was sent must reach the guest first
      }
    }
  };

  /** Resizes the main process's terminal (nothing without one). */
  public void resize(int rows, int cols) {
    if (stdio.tty()) {
      // Also as a file in the share: the init applies it before the process starts and when its
      // control loop starts, so a resize sent while the guest boots (a client's first) is not lost.
      try {
        Files.writeString(paths.share().resolve("tty-size"), rows + " " + cols + "\n");
      } catch (IOException e) {
        log.debug("container {}: cannot record the terminal size: {}", id.substring(0, 12), e.getMessage());
      }
      control("resize main " + rows + " " + cols);
    }
  }

  /** Resizes an interactive exec's terminal. */
  public void resize(GuestExec exec, int rows, int cols) {
    if (exec.tty()) {
      control("resize " + exec.slot() + " " + rows + " " + cols);
    }
  }

  /**
   * Starts an interactive exec ({@code -i}/{@code -t}) in a free slot, its ports plugged first
   * when the slot never had them; a Conflict when {@link ExecSlots#MAX} execs run already.
   */
  public GuestExec startExec(GuestCommand command, boolean tty, int rows, int cols) {
    int slot = slots.acquire(id.substring(0, 12));
    try {
      agent.awaitUp(AGENT_UP); // the slot's ports are plugged into a guest whose virtio-serial driver is loaded
      slots.plug(slot, tty);
    } catch (RuntimeException e) {
      slots.release(slot);
      throw e;
    }
    return GuestExec.start(paths, agent, slot, tty, rows, cols, command, slots::release);
  }

  /**
   * Asks the guest init to load virtio-serial and start the exec agent, which a container without
   * a terminal or stdin boots without (decision 3400). Sent before every agent request: a berthd
   * that restarted does not know whether the guest did, and the guest ignores the line once it
   * did (an older guest init ignores it as well: its agent runs from the boot). Best effort: an
   * unreachable VM shows in the request that follows.
   */
  private void wakeAgent() {
    try {
      control("agent");
    } catch (RuntimeException e) {
      log.debug("container {}: cannot ask for the agent: {}", id.substring(0, 12), e.getMessage());
    }
  }

  /** The control channel's connection, kept: QEMU drops what a client that hung up sent and it had not read. */
  private SocketChannel console;

  /**
   * Connects to the serial console as QEMU starts (launch, reattach), so the guest's exit report
   * wakes the follower the moment QEMU passes it on, rather than at the follower's next look at the
   * serial log (every {@link #POLL}). Best effort: without it the follower finds the report in the log.
   */
  void watchConsole() {
    try {
      consoleChannel();
    } catch (IOException e) {
      log.debug("container {}: the console is read from its log only: {}", id.substring(0, 12), e.getMessage());
    }
  }

  /** The console's connection, made when there is none; its output is read (and scanned) from then on. */
  private synchronized SocketChannel consoleChannel() throws IOException {
    if (console == null || !console.isOpen()) {
      console = SocketChannel.open(UnixDomainSocketAddress.of(paths.consoleSocket()));
      readConsole(console); // the console's output comes to us too: read it, or the guest blocks
    }
    return console;
  }

  /**
   * Lines for the guest init's control channel, held until its control loop reads the console
   * (the init's {@link ControlGate#READY} report): one sent earlier is lost in the guest.
   */
  private final ControlGate gate = new ControlGate(this::writeLine);

  /** How long a guest that never says it is ready (started by an older berthd) is waited for. */
  private static final Duration READY_AT_LATEST = Duration.ofSeconds(60);

  /** One line to the guest init's control channel (the serial console), once the init reads it. */
  private void control(String line) {
    if (!gate.isOpen() && guestReads()) {
      gate.open();
    }
    gate.send(line);
    if (!gate.isOpen()) {
      watchGate();
    }
  }

  /** Whether the guest's control loop reads, as far as the serial log or the guest's age say. */
  private boolean guestReads() {
    return readyInLog() || runningLongerThan(READY_AT_LATEST);
  }

  private Thread gateWatcher;

  /**
   * The console's reader opens the gate when the ready report passes; this looks at the serial log
   * as well (every 100 ms while lines are held), for when that reader is not connected.
   */
  private synchronized void watchGate() {
    if (gateWatcher != null) {
      return;
    }
    gateWatcher = Thread.ofVirtual().name("microvm-gate-" + id.substring(0, 12)).start(() -> {
      while (!gate.isOpen() && alive() && !closed) {
        if (guestReads()) {
          gate.open();
          return;
        }
        sleep(Duration.ofMillis(100));
      }
    });
  }

  /** Whether the serial log has the init's ready report (a berthd that started after the guest's boot). */
  private boolean readyInLog() {
    try (java.io.InputStream in = Files.newInputStream(paths.serialLog())) {
      // The report comes right after the boot's few lines (the kernel is quiet): the log's start is enough.
      return ConsoleScanner.hasReadyLine(new String(in.readNBytes(64 << 10), StandardCharsets.ISO_8859_1));
    } catch (IOException e) {
      return false;
    }
  }

  private boolean runningLongerThan(Duration age) {
    return ProcessHandle.of(pid).flatMap(h -> h.info().startInstant())
        .map(started -> started.plus(age).isBefore(Instant.now())).orElse(false);
  }

  /** Writes one line to the console now. */
  private synchronized void writeLine(String line) {
    ByteBuffer buf = ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.US_ASCII));
    for (int attempt = 0; attempt < 2; attempt++) {
      try {
        SocketChannel ch = consoleChannel();
        while (buf.hasRemaining()) {
          ch.write(buf);
        }
        return;
      } catch (IOException e) {
        GuestExec.closeQuietly(console);
        console = null;
        if (attempt == 1 && alive()) {
          throw new BerthException("cannot reach the microVM of container " + id.substring(0, 12) + ": "
              + e.getMessage(), e);
        }
      }
    }
  }

  /**
   * Reads the console's output (serial.log, QEMU's logfile, keeps it) and wakes the follower when
   * the exit report is in it or the console closed (QEMU ended).
   */
  private void readConsole(SocketChannel ch) {
    Thread.ofVirtual().name("microvm-console-" + id.substring(0, 12)).start(() -> {
      ByteBuffer buf = ByteBuffer.allocate(8192);
      ConsoleScanner scanner = new ConsoleScanner();
      try {
        while (ch.read(buf.clear()) >= 0) {
          OptionalInt code = scanner.feed(buf.flip());
          if (scanner.ready() && !gate.isOpen()) {
            gate.open(); // the held lines (a few short ones) go out through this same console
          }
          if (code.isPresent()) {
            streamedExit = code;
            wake();
          }
        }
      } catch (IOException closed) {
        // the VM or berthd ended
      }
      GuestExec.closeQuietly(ch);
      wake();
    });
  }

  /** Ends the follower's wait between two looks. */
  private void wake() {
    Thread t = thread;
    if (t != null) {
      java.util.concurrent.locks.LockSupport.unpark(t);
    }
  }

  public String id() {
    return id;
  }

  /** QEMU's pid. */
  public long pid() {
    return pid;
  }

  /** The guest init's exec agent. */
  public GuestAgent agent() {
    return agent;
  }

  public MicroVmPaths paths() {
    return paths;
  }

  /** Whether QEMU still runs: the pid is alive, not a zombie, and its command line is this container's. */
  public boolean alive() {
    return alive(pid, id);
  }

  static boolean alive(long pid, String marker) {
    if (pid <= 0) {
      return false;
    }
    Path proc = Path.of("/proc", Long.toString(pid));
    try {
      String stat = Files.readString(proc.resolve("stat"));
      char state = stat.charAt(stat.lastIndexOf(')') + 2);
      if (state == 'Z' || state == 'X') {
        return false;
      }
      String cmdline = new String(Files.readAllBytes(proc.resolve("cmdline")), StandardCharsets.UTF_8);
      return cmdline.contains("qemu-system") && cmdline.contains(marker);
    } catch (IOException | IndexOutOfBoundsException e) {
      return false;
    }
  }

  /**
   * The code the guest init reported on the serial console ({@link GuestExitLine}); empty while
   * the command runs or when the guest never said. A microVM started by an older berthd reports it
   * in the file of its exit port instead.
   */
  public OptionalInt exitCode() {
    OptionalInt streamed = streamedExit;
    if (streamed.isPresent()) {
      return streamed;
    }
    try {
      OptionalInt code = consoleReport();
      return code.isPresent() ? code : exitPortCode();
    } catch (IOException | RuntimeException e) {
      return OptionalInt.empty();
    }
  }

  /** The serial log's size when it was last read, and the report found then. */
  private record LogLook(long size, OptionalInt code) {}

  private volatile LogLook lastLook = new LogLook(-1, OptionalInt.empty());

  /**
   * The report in the serial log, read again only when the log has grown: the follower asks every
   * {@link #POLL}, and a stat is cheaper than reading the log's tail each time.
   */
  private OptionalInt consoleReport() throws IOException {
    long size;
    try {
      size = Files.size(paths.serialLog());
    } catch (java.nio.file.NoSuchFileException e) {
      return OptionalInt.empty();
    }
    LogLook last = lastLook;
    if (last.size() == size) {
      return last.code();
    }
    OptionalInt code = GuestExitLine.read(paths.serialLog());
    lastLook = new LogLook(size, code);
    return code;
  }

  private OptionalInt exitPortCode() {
    try {
      String s = Files.readString(paths.exit()).strip();
      return s.isEmpty() ? OptionalInt.empty() : OptionalInt.of(Integer.parseInt(s.lines().findFirst().orElse("")));
    } catch (IOException | NumberFormatException e) {
      return OptionalInt.empty();
    }
  }

  /** Output from now on (attach). */
  public AttachSession attach() {
    return pump.subscribe(stdio.openStdin() || stdio.tty() ? stdinSink : OutputPump.StdinSink.NONE);
  }

  /**
   * Sends {@code signal} to the container's process through the guest init (a line on the
   * serial console); SIGKILL ends the VM itself: QMP quit, then SIGKILL of QEMU.
   */
  public void signal(int signal) {
    if (signal == 9) {
      hardStop();
      return;
    }
    control(Integer.toString(signal));
  }

  /** QMP quit, then SIGKILL after a grace period; the exit code becomes 137 (killed) unless the guest reported one. */
  public void hardStop() {
    hardStopped = true;
    try (QmpClient qmp = QmpClient.connect(paths.qmpSocket(), Duration.ofSeconds(2))) {
      qmp.execute("quit");
    } catch (IOException | RuntimeException e) {
      log.debug("container {}: QMP quit failed ({}), killing QEMU", id.substring(0, 12), e.getMessage());
    }
    if (!awaitGone(QUIT_GRACE)) {
      // The handle is taken only while the pid is still our QEMU (alive() checks its command line).
      (alive() ? ProcessHandle.of(pid) : Optional.<ProcessHandle>empty()).ifPresent(ProcessHandle::destroyForcibly);
    }
  }

  /**
   * Polls until QEMU is gone, at most {@code timeout}; true when it is. Not ProcessHandle.onExit:
   * for a process that is not berthd's child the JDK looks every 300 ms and more, and counts a
   * zombie as alive (the daemonized QEMU's parent is the host's init, which may reap it late).
   */
  private boolean awaitGone(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (alive()) {
      if (System.nanoTime() - deadline > 0) {
        return false;
      }
      sleep(ENDING_POLL);
      if (Thread.currentThread().isInterrupted()) {
        return !alive();
      }
    }
    return true;
  }

  /** When QEMU was told to end after the guest reported the exit code (System.nanoTime), 0 before. */
  private long terminatedAt;

  /** Whether the output comes through virtio-serial ports QEMU writes asynchronously (no share, no terminal). */
  private final boolean outputOverPorts;

  /**
   * The guest reported the exit code: QEMU is ended. With the output share (decision 3400) or a
   * terminal, by SIGKILL at once: 9p writes (no cache) and the virtio console's are done by QEMU
   * before the guest's write returns, so before the init's report; SIGTERM took 5-40 ms, SIGKILL
   * 3-7 ms (decision 3450). With output ports (-i, or a microVM of an older berthd), by SIGTERM
   * and SIGKILL after the grace: a port's write returns once queued, and under KVM QEMU takes the
   * queue from its main loop, after the report may have passed on the serial line; QEMU handles
   * what is queued before it quits. The follower then polls until QEMU is gone.
   */
  private void terminate() {
    // The handle is taken only while the pid is still our QEMU (alive() checks its command line).
    Optional<ProcessHandle> qemu = alive() ? ProcessHandle.of(pid) : Optional.empty();
    if (terminatedAt == 0) {
      terminatedAt = System.nanoTime();
      if (outputOverPorts) {
        qemu.ifPresent(ProcessHandle::destroy);
      } else {
        qemu.ifPresent(ProcessHandle::destroyForcibly);
      }
    } else if (outputOverPorts && System.nanoTime() - terminatedAt > QUIT_GRACE.toNanos()) {
      qemu.ifPresent(ProcessHandle::destroyForcibly);
    }
  }

  /**
   * Follows the output on a virtual thread until QEMU is gone and the last bytes are in the log;
   * then calls {@code onExit} once with the exit code and ends attached sessions.
   */
  public synchronized void follow(IntConsumer onExit) {
    if (thread != null) {
      return;
    }
    thread = Thread.ofVirtual().name("microvm-" + id.substring(0, 12)).start(() -> {
      OptionalInt code = OptionalInt.empty();
      while (!closed && code.isEmpty()) {
        try {
          code = step();
        } catch (IOException | RuntimeException e) {
          // A failed read or log write (disk full?) must not stop the following: try again.
          log.warn("container {}: microVM output: {}", id.substring(0, 12), e.getMessage());
          sleep(Duration.ofSeconds(1));
        }
      }
      if (code.isPresent()) {
        onExit.accept(code.getAsInt());
      }
    });
  }

  /** One round of following: the exit code once QEMU is gone and its output is in the log. */
  private OptionalInt step() throws IOException {
    boolean gone = !alive(); // looked at before the read, so the last read sees everything
    int n = pump.drain();
    if (!gone && exitCode().isPresent()) {
      // The init reported the exit after the command's last output: nothing is left to do in
      // the guest, so end QEMU now rather than wait for the guest's power-off.
      terminate();
    }
    if (gone) {
      if (terminatedAt != 0) {
        log.debug("container {}: QEMU gone {} us after it was told to end (exit report {} the console socket)",
            id.substring(0, 12), (System.nanoTime() - terminatedAt) / 1000,
            streamedExit.isPresent() ? "read from" : "not read from");
      }
      pump.end();
      return OptionalInt.of(exitCode().orElse(hardStopped ? 137 : 255));
    }
    if (n == 0) {
      // Woken early by the console's reader (the exit report came, or QEMU closed the console).
      java.util.concurrent.locks.LockSupport.parkNanos((terminatedAt != 0 ? ENDING_POLL : POLL).toNanos());
    }
    return OptionalInt.empty();
  }

  /** When QEMU ended: the serial log's (or an older microVM's exit file's) time when the guest reported the code, else now. */
  public Instant finishedAt() {
    if (exitCode().isEmpty()) {
      return Instant.now();
    }
    try {
      return Files.getLastModifiedTime(Files.exists(paths.exit()) ? paths.exit() : paths.serialLog()).toInstant();
    } catch (IOException e) {
      return Instant.now();
    }
  }

  /** Stops following (berthd closes); QEMU keeps running and is found again at the next start. */
  public void close() {
    closed = true;
    SocketChannel ch = stdin;
    stdin = null;
    if (ch != null) {
      GuestExec.closeQuietly(ch);
    }
    synchronized (this) {
      if (console != null) {
        GuestExec.closeQuietly(console);
        console = null;
      }
    }
  }

  /** Kills QEMU if it still runs and removes the runtime dir. Idempotent. */
  public void destroy() {
    close();
    if (alive()) {
      hardStop();
    }
    BootAssetCache.deleteTree(paths.runDir());
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}

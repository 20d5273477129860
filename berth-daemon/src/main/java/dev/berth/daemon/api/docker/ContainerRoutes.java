package dev.berth.daemon.api.docker;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.daemon.http.ApiRequest;
import dev.berth.daemon.http.ApiResponse;
import dev.berth.daemon.http.Json;
import dev.berth.daemon.http.RawStream;
import dev.berth.daemon.http.Router;
import dev.berth.engine.BerthException;
import dev.berth.engine.Engine;
import dev.berth.engine.container.Container;
import dev.berth.engine.container.ContainerLogs;
import dev.berth.engine.container.ContainerExecs;
import dev.berth.engine.container.ContainerExits;
import dev.berth.engine.container.ContainerService;
import dev.berth.engine.container.ContainerState;
import dev.berth.engine.container.ExecSession;
import dev.berth.engine.image.Image;
import dev.berth.engine.runtime.AttachSession;
import dev.berth.engine.runtime.LogEntry;
import dev.berth.engine.stats.ContainerStats;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** The container and exec endpoints of the Docker API, mapped onto {@link ContainerService}. */
public final class ContainerRoutes {
  private static final Duration ATTACH_WAIT = Duration.ofHours(24);
  private static final Duration EXEC_TIMEOUT = Duration.ofHours(24);
  private static final Duration STATS_INTERVAL = Duration.ofSeconds(1);
  private static final DateTimeFormatter NANOS = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.nnnnnnnnn'Z'")
      .withZone(ZoneOffset.UTC);

  private final Engine engine;
  private final ContainerService containers;

  public ContainerRoutes(Engine engine) {
    this.engine = engine;
    this.containers = engine.containers();
  }

  public void register(Router router) {
    router.post("/containers/create", this::create);
    router.get("/containers/json", this::list);
    router.post("/containers/prune", this::prune);
    router.get("/containers/{id}/json", this::inspect);
    router.post("/containers/{id}/start", this::start);
    router.post("/containers/{id}/stop", this::stop);
    router.post("/containers/{id}/kill", this::kill);
    router.post("/containers/{id}/restart", this::restart);
    router.post("/containers/{id}/wait", this::waitFor);
    router.post("/containers/{id}/attach", this::attach);
    router.get("/containers/{id}/logs", this::logs);
    router.get("/containers/{id}/top", this::top);
    router.post("/containers/{id}/pause", this::pause);
    router.post("/containers/{id}/unpause", this::unpause);
    router.get("/containers/{id}/stats", this::stats);
    router.post("/containers/{id}/rename", this::rename);
    router.post("/containers/{id}/resize", this::resize);
    router.delete("/containers/{id}", this::remove);
    router.post("/containers/{id}/exec", this::createExec);
    router.post("/exec/{id}/start", this::startExec);
    router.post("/exec/{id}/resize", this::resizeExec);
    router.get("/exec/{id}/json", this::inspectExec);
    new ContainerRunRoute(containers).register(router);
  }

  private void create(ApiRequest req, ApiResponse res) throws IOException {
    Container c = containers.create(req.query("name").orElse(null),
        ContainerJsons.fromCreateRequest(req.jsonBody(JsonNode.class)));
    res.json(201, Map.of("Id", c.id(), "Warnings", List.of()));
  }

  private void list(ApiRequest req, ApiResponse res) throws IOException {
    Filters filters = Filters.parse(req.query("filters").orElse(null),
        Set.of("status", "name", "id", "label", "ancestor", "exited", "before", "since", "health"));
    for (String h : filters.has("health") ? filters.get("health") : List.<String>of()) {
      if (!Set.of("starting", "healthy", "unhealthy", "none").contains(h)) {
        throw new BerthException.InvalidArgument("Unrecognised filter value for health: " + h);
      }
    }
    boolean all = req.queryFlag("all") || filters.has("status") || filters.has("exited");
    int limit = req.query("limit").filter(s -> !s.isEmpty()).map(Integer::parseInt).orElse(-1);
    if (limit > 0) {
      all = true;
    }
    Instant now = Instant.now();
    List<Object> out = new ArrayList<>();
    for (Container c : containers.list()) {
      if (!all && !c.running() && !(c.state() instanceof ContainerState.Restarting)) {
        continue;
      }
      if (!matches(c, filters)) {
        continue;
      }
      Map<String, Object> summary = ContainerJsons.summary(c, now);
      summary.put("Ports", NetworkingJsons.summaryPorts(c, engine.networks()));
      if (req.queryFlag("size")) {
        summary.put("SizeRw", size(containers.dir(c.id()).resolve("upper")));
        summary.put("SizeRootFs", size(containers.dir(c.id()).resolve("upper"))
            + engine.images().lookup(c.imageId()).map(Image::size).orElse(0L));
      }
      out.add(summary);
      if (limit > 0 && out.size() >= limit) {
        break;
      }
    }
    res.json(200, out);
  }

  private boolean matches(Container c, Filters f) {
    if (f.has("health") && !f.get("health").contains(SupervisionJsons.healthFilterValue(c.health()))) {
      return false;
    }
    if (f.has("status") && !f.get("status").contains(c.state().status())) {
      return false;
    }
    if (f.has("name") && f.get("name").stream().noneMatch(n -> c.name().matches(".*" + n.replaceFirst("^/", "") + ".*"))) {
      return false;
    }
    if (f.has("id") && f.get("id").stream().noneMatch(c.id()::startsWith)) {
      return false;
    }
    if (f.has("exited") && !(c.state() instanceof ContainerState.Exited e
        && f.get("exited").contains(Integer.toString(e.exitCode())))) {
      return false;
    }
    if (f.has("ancestor") && f.get("ancestor").stream().noneMatch(a -> c.imageRef().equals(a)
        || engine.images().lookup(a).map(i -> i.id().toString().equals(c.imageId())).orElse(false))) {
      return false;
    }
    return f.labelsMatch(c.config().labels());
  }

  private static long size(Path dir) {
    try (var walk = Files.walk(dir)) {
      return walk.filter(Files::isRegularFile).mapToLong(p -> {
        try {
          return Files.size(p);
        } catch (IOException e) {
          return 0;
        }
      }).sum();
    } catch (IOException e) {
      return 0;
    }
  }

  private void inspect(ApiRequest req, ApiResponse res) throws IOException {
    Container c = containers.find(req.pathParam("id"));
    Map<String, Object> extra = new LinkedHashMap<>();
    extra.put("dir", containers.dir(c.id()).toString());
    extra.put("execIds", null);
    List<String> lower = new ArrayList<>();
    engine.images().lookup(c.imageId()).ifPresent(i -> i.layers().reversed()
        .forEach(l -> lower.add(engine.images().layers().diffDir(l.chainId()).toString())));
    extra.put("lowerDir", String.join(":", lower));
    Map<String, Object> json = ContainerJsons.inspect(c, extra);
    json.put("NetworkSettings", NetworkingJsons.networkSettings(c, engine.networks()));
    if (req.queryFlag("size")) {
      json.put("SizeRw", size(containers.dir(c.id()).resolve("upper")));
    }
    res.json(200, json);
  }

  private void start(ApiRequest req, ApiResponse res) throws IOException {
    res.empty(containers.start(req.pathParam("id")) ? 204 : 304);
  }

  private static Optional<Duration> timeout(ApiRequest req) {
    return req.query("t").or(() -> req.query("timeout")).filter(s -> !s.isEmpty())
        .map(s -> Duration.ofSeconds(Math.max(0, Long.parseLong(s))));
  }

  private void stop(ApiRequest req, ApiResponse res) throws IOException {
    res.empty(containers.stop(req.pathParam("id"), timeout(req)) ? 204 : 304);
  }

  private void kill(ApiRequest req, ApiResponse res) throws IOException {
    containers.kill(req.pathParam("id"), req.query("signal").orElse(null));
    res.empty(204);
  }

  private void restart(ApiRequest req, ApiResponse res) throws IOException {
    containers.restart(req.pathParam("id"), timeout(req));
    res.empty(204);
  }

  /** Headers go out at once (docker run sends wait before start); the body when the condition holds. */
  private void waitFor(ApiRequest req, ApiResponse res) throws IOException {
    var condition = ContainerExits.WaitCondition.parse(req.query("condition").orElse(null));
    var future = containers.exits().waitFor(req.pathParam("id"), condition);
    try (OutputStream out = res.stream(200, "application/json")) {
      ContainerExits.WaitResult r;
      try {
        r = future.get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (java.util.concurrent.ExecutionException e) {
        out.write(Json.MAPPER.writeValueAsBytes(Map.of("StatusCode", 255,
            "Error", Map.of("Message", String.valueOf(e.getCause().getMessage())))));
        return;
      }
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("StatusCode", r.statusCode());
      body.put("Error", r.error().isEmpty() ? null : Map.of("Message", r.error()));
      out.write(Json.MAPPER.writeValueAsBytes(body));
      out.write('\n');
    }
  }

  private void attach(ApiRequest req, ApiResponse res) throws IOException {
    Container c = containers.find(req.pathParam("id"));
    boolean tty = c.config().tty();
    boolean wantStdin = req.queryFlag("stdin");
    boolean wantStdout = req.queryFlag("stdout");
    boolean wantStderr = req.queryFlag("stderr");
    byte[] detachKeys = AttachStreams.detachSequence(req.query("detachKeys").orElse(AttachStreams.DETACH_KEYS));
    // Registered before the upgrade is answered: a client that starts the container as soon as
    // it has the answer must not start it before the attach is there.
    CompletableFuture<AttachSession> attached = containers.attach().attachWhenStarted(c.id());
    RawStream raw = AttachStreams.hijackOrLetGo(res, tty ? AttachStreams.RAW : AttachStreams.MULTIPLEXED, attached);
    AttachSession session;
    try {
      session = attached.get(ATTACH_WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException | TimeoutException e) {
      attached.cancel(false);
      raw.closeOutput();
      return;
    } catch (InterruptedException e) {
      attached.cancel(false);
      Thread.currentThread().interrupt();
      raw.closeOutput();
      return;
    }
    AttachStreams.pump(session, raw, !tty, wantStdin && c.config().openStdin(), wantStdout, wantStderr, detachKeys);
    raw.closeOutput();
  }

  private void logs(ApiRequest req, ApiResponse res) throws IOException {
    Container c = containers.find(req.pathParam("id"));
    boolean stdout = req.queryFlag("stdout");
    boolean stderr = req.queryFlag("stderr");
    if (!stdout && !stderr) {
      throw new BerthException.InvalidArgument("You must choose at least one stream");
    }
    String tailArg = req.query("tail").orElse("all");
    int tail = tailArg.isEmpty() || tailArg.equals("all") ? -1 : Integer.parseInt(tailArg);
    var options = new ContainerLogs.Options(stdout, stderr, time(req.query("since")), time(req.query("until")), tail,
        req.queryFlag("follow"));
    boolean timestamps = req.queryFlag("timestamps");
    boolean tty = c.config().tty();
    String id = c.id();
    try (OutputStream out = res.stream(200, tty ? AttachStreams.RAW : AttachStreams.MULTIPLEXED)) {
      ContainerLogs.stream(containers.logPath(id), options,
          () -> isRunning(id),
          line -> {
            String text = timestamps ? NANOS.format(line.time()) + " " + line.text() : line.text();
            byte[] data = text.getBytes(StandardCharsets.UTF_8);
            if (tty) {
              out.write(data);
              out.flush();
            } else {
              AttachStreams.writeFrame(out, line.stream() == LogEntry.Stream.STDOUT ? 1 : 2, data);
            }
          });
    }
  }

  private boolean isRunning(String id) {
    try {
      return containers.find(id).running();
    } catch (BerthException.NotFound removed) {
      return false;
    }
  }

  /** Docker's since/until: unix seconds with optional fraction; 0 or absent = unset. */
  static Instant time(Optional<String> value) {
    if (value.isEmpty() || value.get().isEmpty() || value.get().equals("0")) {
      return null;
    }
    String v = value.get();
    try {
      if (v.matches("\\d+(\\.\\d+)?")) {
        String[] parts = v.split("\\.");
        long nanos = parts.length > 1 ? Long.parseLong((parts[1] + "000000000").substring(0, 9)) : 0;
        return Instant.ofEpochSecond(Long.parseLong(parts[0]), nanos);
      }
      return Instant.parse(v);
    } catch (RuntimeException e) {
      throw new BerthException.InvalidArgument("invalid time value: " + v);
    }
  }

  private void pause(ApiRequest req, ApiResponse res) throws IOException {
    containers.pauses().pause(req.pathParam("id"));
    res.empty(204);
  }

  private void unpause(ApiRequest req, ApiResponse res) throws IOException {
    containers.pauses().unpause(req.pathParam("id"));
    res.empty(204);
  }

  /**
   * One reading ({@code stream=false}) or one per second until the client goes away. Without
   * one-shot, a single reading waits a second for a second sample, as Docker does, so precpu_stats
   * and with it CPU % are meaningful.
   */
  private void stats(ApiRequest req, ApiResponse res) throws IOException {
    String id = containers.find(req.pathParam("id")).id();
    boolean stream = req.query("stream").map(v -> req.queryFlag("stream")).orElse(true);
    boolean oneShot = req.queryFlag("one-shot");
    if (!stream) {
      ContainerStats prev = null;
      if (!oneShot) {
        prev = containers.metrics().stats(id);
        nextInterval(STATS_INTERVAL);
      }
      res.json(200, StatsJsons.stats(containers.metrics().stats(id), prev));
      return;
    }
    OutputStream out = res.stream(200, "application/json");
    ContainerStats prev = null;
    while (true) {
      ContainerStats cur;
      try {
        cur = containers.metrics().stats(id);
      } catch (BerthException.NotFound removed) {
        out.close();
        return;
      }
      try {
        out.write(Json.MAPPER.writeValueAsBytes(StatsJsons.stats(cur, prev)));
        out.write('\n');
        out.flush();
      } catch (IOException clientGone) {
        // The client went away (docker stats ended): that is how a stats stream ends, not an error.
        return;
      }
      prev = cur;
      nextInterval(STATS_INTERVAL);
    }
  }

  /** The pace of Docker's stats stream: one reading a second. */
  private static void nextInterval(Duration d) throws IOException {
    try {
      Thread.sleep(d);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException("stats interrupted");
    }
  }

  private void top(ApiRequest req, ApiResponse res) throws IOException {
    List<Integer> pids = containers.pids(req.pathParam("id"));
    List<List<String>> rows = new ArrayList<>();
    for (int pid : pids) {
      Path proc = Path.of("/proc", Integer.toString(pid));
      try {
        String status = Files.readString(proc.resolve("status"));
        String uid = field(status, "Uid:").split("\\s+")[0];
        String ppid = field(status, "PPid:");
        String cmd = new String(Files.readAllBytes(proc.resolve("cmdline")), StandardCharsets.UTF_8)
            .replace('\0', ' ').strip();
        rows.add(List.of(uid, Integer.toString(pid), ppid, cmd));
      } catch (IOException e) {
        // exited meanwhile
      }
    }
    res.json(200, Map.of("Titles", List.of("UID", "PID", "PPID", "CMD"), "Processes", rows));
  }

  private static String field(String status, String name) {
    for (String line : status.split("\n")) {
      if (line.startsWith(name)) {
        return line.substring(name.length()).strip();
      }
    }
    return "";
  }

  private void rename(ApiRequest req, ApiResponse res) throws IOException {
    containers.rename(req.pathParam("id"),
        req.query("name").orElseThrow(() -> new BerthException.InvalidArgument("name is required")));
    res.empty(204);
  }

  private void resize(ApiRequest req, ApiResponse res) throws IOException {
    int h = req.query("h").map(Integer::parseInt).orElse(0);
    int w = req.query("w").map(Integer::parseInt).orElse(0);
    containers.attach().resize(req.pathParam("id"), h, w);
    res.empty(200);
  }

  private void remove(ApiRequest req, ApiResponse res) throws IOException {
    containers.remove(req.pathParam("id"), req.queryFlag("force"), req.queryFlag("v"));
    res.empty(204);
  }

  private void prune(ApiRequest req, ApiResponse res) throws IOException {
    Filters filters = Filters.parse(req.query("filters").orElse(null), Set.of("label", "until"));
    Instant until = time(filters.get("until").stream().findFirst());
    List<String> gone = containers.prune(c -> filters.labelsMatch(c.config().labels())
        && (until == null || c.created().isBefore(until)));
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("ContainersDeleted", gone);
    body.put("SpaceReclaimed", 0);
    res.json(200, body);
  }

  private void createExec(ApiRequest req, ApiResponse res) throws IOException {
    JsonNode b = req.jsonBody(JsonNode.class);
    List<String> cmd = new ArrayList<>();
    b.path("Cmd").forEach(n -> cmd.add(n.asText()));
    List<String> env = new ArrayList<>();
    b.path("Env").forEach(n -> env.add(n.asText()));
    var exec = containers.execs().create(req.pathParam("id"), new ContainerExecs.ExecConfig(cmd, env,
        b.path("User").asText(""), b.path("WorkingDir").asText(""), b.path("Tty").asBoolean(false),
        b.path("AttachStdin").asBoolean(false), b.path("Privileged").asBoolean(false)));
    res.json(201, Map.of("Id", exec.id()));
  }

  private void startExec(ApiRequest req, ApiResponse res) throws IOException {
    String id = req.pathParam("id");
    JsonNode b = req.jsonBody(JsonNode.class);
    ContainerExecs.Exec exec = containers.execs().get(id);
    if (b != null && b.path("Detach").asBoolean(false)) {
      Thread.ofVirtual().start(() -> containers.execs().run(id, EXEC_TIMEOUT));
      res.empty(200);
      return;
    }
    boolean tty = exec.config().tty();
    ExecSession session = containers.execs().start(id);
    RawStream raw = res.hijack(tty ? AttachStreams.RAW : AttachStreams.MULTIPLEXED);
    OutputStream out = raw.output();
    // Platform threads: a TTY session's reads block in native code.
    Thread stdout = Thread.ofPlatform().daemon().start(() -> copyFrames(session.stdout(), out, tty, 1));
    Thread stderr = Thread.ofPlatform().daemon().start(() -> copyFrames(session.stderr(), out, tty, 2));
    Thread stdin = null;
    if (exec.config().attachStdin()) {
      stdin = Thread.ofVirtual().start(() -> {
        try (OutputStream in = session.stdin()) {
          raw.input().transferTo(in);
        } catch (IOException e) {
          // the client or the process went away
        }
      });
    } else {
      session.stdin().close();
    }
    try {
      stdout.join();
      stderr.join();
      session.waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      raw.closeOutput();
      if (stdin != null) {
        stdin.interrupt();
      }
    }
  }

  /** Copies one of the exec's streams to the client, framed unless it is a TTY session. */
  private static void copyFrames(InputStream in, OutputStream out, boolean tty, int stream) {
    byte[] buf = new byte[8192];
    try (in) {
      int n;
      while ((n = in.read(buf)) > 0) {
        synchronized (out) {
          if (tty) {
            out.write(buf, 0, n);
            out.flush();
          } else {
            AttachStreams.writeFrame(out, stream, java.util.Arrays.copyOf(buf, n));
          }
        }
      }
    } catch (IOException e) {
      // the client went away; the process still ends on its own
    }
  }

  private void resizeExec(ApiRequest req, ApiResponse res) throws IOException {
    containers.execs().resize(req.pathParam("id"), req.query("h").map(Integer::parseInt).orElse(0),
        req.query("w").map(Integer::parseInt).orElse(0));
    res.empty(200);
  }

  private void inspectExec(ApiRequest req, ApiResponse res) throws IOException {
    ContainerExecs.Exec e = containers.execs().get(req.pathParam("id"));
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("ID", e.id());
    m.put("Running", e.running());
    m.put("ExitCode", e.exitCode());
    Map<String, Object> pc = new LinkedHashMap<>();
    pc.put("tty", e.config().tty());
    pc.put("entrypoint", e.config().cmd().getFirst());
    pc.put("arguments", e.config().cmd().subList(1, e.config().cmd().size()));
    pc.put("privileged", e.config().privileged());
    pc.put("user", e.config().user());
    m.put("ProcessConfig", pc);
    m.put("OpenStdin", e.config().attachStdin());
    m.put("OpenStderr", true);
    m.put("OpenStdout", true);
    m.put("CanRemove", false);
    m.put("ContainerID", e.containerId());
    m.put("DetachKeys", "");
    m.put("Pid", 0);
    res.json(200, m);
  }
}

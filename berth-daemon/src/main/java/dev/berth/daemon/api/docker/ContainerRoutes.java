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
import dev.berth.engine.container.ContainerUpdate;
import dev.berth.engine.container.RestartPolicy;
import dev.berth.engine.container.ExecSession;
import dev.berth.engine.container.Signals;
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
  private static final Duration KILL_WAIT = Duration.ofSeconds(10);
  private static final DateTimeFormatter NANOS = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.nnnnnnnnn'Z'")
      .withZone(ZoneOffset.UTC);

  private final Engine engine;
  private final ContainerService containers;
  /** The DetachKeys an exec was created with (Berth's exec records do not carry them). */
  private final Map<String, byte[]> execDetachKeys = new java.util.concurrent.ConcurrentHashMap<>();

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
    router.post("/containers/{id}/update", this::update);
    router.post("/containers/{id}/resize", this::resize);
    router.delete("/containers/{id:.*}", this::remove); // several segments: rm --link /PARENT/ALIAS
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
    int limit = (int) Math.max(-1, Math.min(Integer.MAX_VALUE, req.queryNumber("limit").orElse(-1L)));
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
      summary.put("NetworkSettings", Map.of("Networks",
          NetworkingJsons.networkSettings(c, engine.networks()).get("Networks")));
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

  /** Bytes of the regular files under {@code dir} (a container's writable layer), as {@code ps -s} and {@code system df} count them. */
  private static long size(Path dir) {
    return DiskUsageRoutes.size(dir);
  }

  private void inspect(ApiRequest req, ApiResponse res) throws IOException {
    Container c = containers.find(req.pathParam("id"));
    Map<String, Object> extra = new LinkedHashMap<>();
    extra.put("dir", containers.dir(c.id()).toString());
    List<String> execIds = c.running() ? containers.execs().ids(c.id()) : List.of();
    extra.put("execIds", execIds.isEmpty() ? null : execIds);
    List<String> lower = new ArrayList<>();
    Set<String> exposed = new java.util.TreeSet<>(c.config().networking().exposedPorts());
    engine.images().lookup(c.imageId()).ifPresent(i -> {
      i.layers().reversed().forEach(l -> lower.add(engine.images().layers().diffDir(l.chainId()).toString()));
      if (i.config().config() != null && i.config().config().exposedPorts() != null) {
        exposed.addAll(i.config().config().exposedPorts().keySet());
      }
    });
    extra.put("lowerDir", String.join(":", lower));
    extra.put("exposedPorts", exposed);
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
    String name = req.query("t").filter(s -> !s.isEmpty()).isPresent() ? "t" : "timeout";
    return req.queryNumber(name).map(s -> Duration.ofSeconds(Math.max(0, s)));
  }

  private void stop(ApiRequest req, ApiResponse res) throws IOException {
    res.empty(containers.stop(req.pathParam("id"), timeout(req)) ? 204 : 304);
  }

  /**
   * As dockerd: after a SIGKILL (the default) the answer waits until the exit is recorded (at
   * most {@link #KILL_WAIT}), so an inspect that follows sees the container exited with 137;
   * other signals are only sent (the process may handle or ignore them).
   */
  private void kill(ApiRequest req, ApiResponse res) throws IOException {
    String id;
    try {
      id = containers.find(req.pathParam("id")).id();
    } catch (BerthException.NotFound e) {
      throw new BerthException.NotFound("Cannot kill container: " + req.pathParam("id") + ": " + e.getMessage());
    }
    String signal = req.query("signal").filter(s -> !s.isEmpty()).orElse(null);
    var exited = signal == null || Signals.parse(signal) == 9
        ? containers.exits().waitFor(id, ContainerExits.WaitCondition.NOT_RUNNING) : null;
    containers.kill(req.pathParam("id"), signal); // its errors name the container as the client did
    if (exited != null) {
      try {
        exited.get(KILL_WAIT.toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (ExecutionException | TimeoutException e) {
        // dockerd answers anyway; the exit is recorded when it comes
        exited.cancel(false);
      }
    }
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

  /**
   * With {@code logs=1} the container's log so far is replayed first; with {@code stream=0} that
   * is all, and the answer ends at once (as dockerd's, whose default is stream=0).
   */
  private void attach(ApiRequest req, ApiResponse res) throws IOException {
    Container c = containers.find(req.pathParam("id"));
    boolean tty = c.config().tty();
    boolean wantStdin = req.queryFlag("stdin");
    boolean wantStdout = req.queryFlag("stdout");
    boolean wantStderr = req.queryFlag("stderr");
    byte[] detachKeys = AttachStreams.detachSequence(req.query("detachKeys").filter(k -> !k.isEmpty())
        .orElse(AttachStreams.DETACH_KEYS));
    String contentType = AttachStreams.contentType(req, !tty);
    if (!req.queryFlag("stream")) {
      RawStream raw = res.hijack(contentType);
      if (req.queryFlag("logs")) {
        replayLogs(c, raw.output(), tty, wantStdout, wantStderr);
      }
      raw.closeOutput();
      return;
    }
    // Registered before the upgrade is answered: a client that starts the container as soon as
    // it has the answer must not start it before the attach is there.
    CompletableFuture<AttachSession> attached = containers.attach().attachWhenStarted(c.id());
    RawStream raw = AttachStreams.hijackOrLetGo(res, contentType, attached);
    if (req.queryFlag("logs")) {
      replayLogs(c, raw.output(), tty, wantStdout, wantStderr);
    }
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

  /** The log so far, framed as an attach's output (attach with logs=1). */
  private void replayLogs(Container c, OutputStream out, boolean tty, boolean stdout, boolean stderr)
      throws IOException {
    if (!stdout && !stderr) {
      return;
    }
    var options = new ContainerLogs.Options(stdout, stderr, null, null, -1, false);
    ContainerLogs.stream(containers.logPath(c.id()), options, () -> false, line -> {
      byte[] data = line.text().getBytes(StandardCharsets.UTF_8);
      synchronized (out) {
        if (tty) {
          out.write(data);
        } else {
          AttachStreams.writeFrame(out, line.stream() == LogEntry.Stream.STDOUT ? 1 : 2, data);
        }
      }
    });
  }

  private void logs(ApiRequest req, ApiResponse res) throws IOException {
    Container c = containers.find(req.pathParam("id"));
    boolean stdout = req.queryFlag("stdout");
    boolean stderr = req.queryFlag("stderr");
    if (!stdout && !stderr) {
      throw new BerthException.InvalidArgument("Bad parameters: you must choose at least one stream");
    }
    if (!c.config().logConfig().readable()) {
      throw new dev.berth.daemon.http.ApiError(501, "configured logging driver does not support reading");
    }
    String tailArg = req.query("tail").orElse("all");
    int tail = tailLines(tailArg);
    var options = new ContainerLogs.Options(stdout, stderr, time(req.query("since")), time(req.query("until")), tail,
        req.queryFlag("follow"));
    boolean timestamps = req.queryFlag("timestamps");
    boolean tty = c.config().tty();
    String id = c.id();
    try (OutputStream out = res.stream(200, tty ? AttachStreams.RAW : AttachStreams.MULTIPLEXED)) {
      // A follower whose client left (a closed connection, a console's WebSocket) stops too.
      ContainerLogs.stream(containers.logPath(id), options,
          () -> res.connected() && isRunning(id),
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
  /** dockerd's reading of {@code tail}: a number of lines, anything else (all, "", junk) is every line. */
  static int tailLines(String tailArg) {
    try {
      return Math.max(-1, Integer.parseInt(tailArg));
    } catch (NumberFormatException notANumber) {
      return -1;
    }
  }

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

  /** Docker's update body (a HostConfig's resources and RestartPolicy): 0 and "" leave a value as it is. */
  private void update(ApiRequest req, ApiResponse res) throws IOException {
    JsonNode b = req.jsonBody(JsonNode.class);
    JsonNode policy = b.path("RestartPolicy");
    RestartPolicy restart = policy.path("Name").asText("").isEmpty() ? null
        : RestartPolicy.validated(policy.path("Name").asText(), policy.path("MaximumRetryCount").asInt(0));
    var update = new ContainerUpdate(number(b, "Memory"), number(b, "MemorySwap"), number(b, "MemoryReservation"),
        number(b, "KernelMemory"), number(b, "NanoCpus"), number(b, "CpuShares"), number(b, "CpuPeriod"),
        number(b, "CpuQuota"), b.path("CpusetCpus").asText(""), b.path("CpusetMems").asText(""),
        b.path("PidsLimit").isNumber() ? Long.valueOf(b.path("PidsLimit").asLong()) : null,
        number(b, "BlkioWeight"), restart);
    List<String> warnings = containers.updater().update(req.pathParam("id"), update);
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("Warnings", warnings.isEmpty() ? null : warnings); // dockerd's null when there are none
    res.json(200, body);
  }

  private static Long number(JsonNode body, String field) {
    JsonNode n = body.path(field);
    return n.isNumber() && n.asLong() != 0 ? Long.valueOf(n.asLong()) : null;
  }

  private void rename(ApiRequest req, ApiResponse res) throws IOException {
    String name = req.query("name").orElseThrow(() -> new BerthException.InvalidArgument("name is required"));
    if (containers.find(req.pathParam("id")).name().equals(name.startsWith("/") ? name.substring(1) : name)) {
      throw new BerthException.InvalidArgument("Renaming a container with the same name as its current name");
    }
    containers.rename(req.pathParam("id"), name);
    res.empty(204);
  }

  /** A terminal's height or width: a number that fits a tty's unsigned short (dockerd: 400 otherwise). */
  private static int dimension(ApiRequest req, String name) {
    long v = req.queryNumber(name).orElse(0L);
    if (v < 0 || v > 65535) {
      throw new BerthException.InvalidArgument("invalid value for query parameter " + name + ": " + v
          + " is not a terminal size (0-65535)");
    }
    return (int) v;
  }

  private void resize(ApiRequest req, ApiResponse res) throws IOException {
    int h = dimension(req, "h");
    int w = dimension(req, "w");
    containers.attach().resize(req.pathParam("id"), h, w);
    res.empty(200);
  }

  private void remove(ApiRequest req, ApiResponse res) throws IOException {
    if (req.queryFlag("link")) {
      containers.removeLink(req.pathParam("id"));
    } else {
      containers.remove(req.pathParam("id"), req.queryFlag("force"), req.queryFlag("v"));
    }
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
    String keys = b.path("DetachKeys").asText("");
    byte[] sequence = null;
    if (!keys.isEmpty()) {
      try {
        sequence = AttachStreams.detachSequence(keys);
      } catch (BerthException.InvalidArgument bad) {
        // dockerd's status and words for this one
        res.json(500, Map.of("message", "Invalid escape keys (" + keys + ") provided"));
        return;
      }
    }
    List<String> cmd = new ArrayList<>();
    b.path("Cmd").forEach(n -> cmd.add(n.asText()));
    List<String> env = new ArrayList<>();
    b.path("Env").forEach(n -> env.add(n.asText()));
    var exec = containers.execs().create(req.pathParam("id"), new ContainerExecs.ExecConfig(cmd, env,
        b.path("User").asText(""), b.path("WorkingDir").asText(""), b.path("Tty").asBoolean(false),
        b.path("AttachStdin").asBoolean(false), b.path("Privileged").asBoolean(false)));
    if (sequence != null) {
      execDetachKeys.put(exec.id(), sequence);
    }
    res.json(201, Map.of("Id", exec.id()));
  }

  /**
   * The answer's framing follows the START request's {@code Tty}, as dockerd's: multiplexed
   * frames unless it is true, whatever the exec was created with (the process still gets its
   * terminal from the create). The client's input ends at the detach keys; the process runs on.
   */
  private void startExec(ApiRequest req, ApiResponse res) throws IOException {
    String id = req.pathParam("id");
    JsonNode b = req.jsonBody(JsonNode.class);
    ContainerExecs.Exec exec = containers.execs().get(id);
    if (b != null && b.path("Detach").asBoolean(false)) {
      Thread.ofVirtual().start(() -> containers.execs().run(id, EXEC_TIMEOUT));
      res.empty(200);
      return;
    }
    boolean raw = b != null && b.path("Tty").asBoolean(false);
    byte[] detachKeys = execDetachKeys.getOrDefault(id, AttachStreams.detachSequence(AttachStreams.DETACH_KEYS));
    ExecSession session;
    try {
      // ConsoleSize [height, width] (API 1.42): the terminal's size from the start on
      JsonNode size = b == null ? null : b.path("ConsoleSize");
      boolean sized = size != null && size.isArray() && size.size() == 2;
      session = containers.execs().start(id, sized ? size.get(0).asInt(0) : 0, sized ? size.get(1).asInt(0) : 0);
    } catch (BerthException.InvalidArgument cannotRun) {
      // dockerd has answered already when it finds this (an unknown user or group): the message
      // comes in the stream, on stdout, and the exec's exit code is 126
      RawStream stream = res.hijack(AttachStreams.contentType(req, !raw));
      byte[] message = (cannotRun.getMessage() + "\r\n").getBytes(StandardCharsets.UTF_8);
      if (raw) {
        stream.output().write(message);
      } else {
        AttachStreams.writeFrame(stream.output(), 1, message);
      }
      stream.closeOutput();
      return;
    }
    RawStream stream = res.hijack(AttachStreams.contentType(req, !raw));
    OutputStream out = new DetachableOutput(stream.output());
    // Platform threads: a TTY session's reads block in native code.
    Thread stdout = Thread.ofPlatform().daemon().start(() -> copyFrames(session.stdout(), out, raw, 1));
    Thread stderr = Thread.ofPlatform().daemon().start(() -> copyFrames(session.stderr(), out, raw, 2));
    Thread stdin = null;
    if (exec.config().attachStdin()) {
      stdin = Thread.ofVirtual().start(() -> {
        OutputStream in = session.stdin();
        try {
          if (AttachStreams.copyUntilDetach(stream.input(), in, detachKeys)) {
            // detached: the client's answer ends now; the process runs on (its stdin stays open),
            // its output dropped
            ((DetachableOutput) out).detach();
            stream.closeOutput();
            return;
          }
        } catch (IOException e) {
          // the client or the process went away
        }
        try {
          in.close();
        } catch (IOException e) {
          // the process is gone
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
      stream.closeOutput();
      if (stdin != null) {
        stdin.interrupt();
      }
    }
  }

  /** The client's side of an exec: after a detach, output is read and dropped, so the process never blocks. */
  private static final class DetachableOutput extends java.io.FilterOutputStream {
    private volatile boolean detached;

    DetachableOutput(OutputStream out) {
      super(out);
    }

    void detach() {
      detached = true;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      if (!detached) {
        out.write(b, off, len);
      }
    }

    @Override
    public void flush() throws IOException {
      if (!detached) {
        out.flush();
      }
    }
  }

  /**
   * Copies one of the exec's streams to the client, framed unless the start asked for a raw
   * stream. When the client is gone the output is still read (and dropped), as dockerd does: the
   * process runs on and must not block on a full pipe.
   */
  private static void copyFrames(InputStream in, OutputStream out, boolean raw, int stream) {
    byte[] buf = new byte[8192];
    boolean clientGone = false;
    try (in) {
      int n;
      while ((n = in.read(buf)) > 0) {
        if (clientGone) {
          continue;
        }
        try {
          synchronized (out) {
            if (raw) {
              out.write(buf, 0, n);
              out.flush();
            } else {
              AttachStreams.writeFrame(out, stream, java.util.Arrays.copyOf(buf, n));
            }
          }
        } catch (IOException e) {
          clientGone = true;
        }
      }
    } catch (IOException e) {
      // the process's side ended
    }
  }

  private void resizeExec(ApiRequest req, ApiResponse res) throws IOException {
    containers.execs().resize(req.pathParam("id"), dimension(req, "h"), dimension(req, "w"));
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
    if (!e.config().user().isEmpty()) {
      pc.put("user", e.config().user()); // Go leaves an empty user out
    }
    m.put("ProcessConfig", pc);
    m.put("OpenStdin", e.config().attachStdin());
    m.put("OpenStderr", true);
    m.put("OpenStdout", true);
    m.put("CanRemove", false);
    m.put("ContainerID", e.containerId());
    // Go writes the key bytes as base64
    byte[] keys = execDetachKeys.get(e.id());
    m.put("DetachKeys", keys == null ? "" : java.util.Base64.getEncoder().encodeToString(keys));
    m.put("Pid", 0);
    res.json(200, m);
  }
}

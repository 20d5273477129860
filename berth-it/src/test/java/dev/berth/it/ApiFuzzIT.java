package dev.berth.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.it.fuzz.Gen;
import dev.berth.it.fuzz.HostileTars;
import dev.berth.it.fuzz.HostileTars.Entry;
import dev.berth.it.fuzz.RawHttp;
import dev.berth.it.fuzz.RawHttp.Answer;
import dev.berth.it.fuzz.Sentinel;
import dev.berth.testkit.BerthdProcess;
import dev.berth.testkit.BusyboxDaemon;
import dev.berth.testkit.Leftovers;
import dev.berth.testkit.Poll;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Issue 18 item 4: generated hostile and broken requests against a real berthd, for every route
 * it registers. Properties: an answer before a deadline, never a 5xx for bad input (a 4xx with a
 * JSON message), the daemon alive after each case, threads and fds back near their baseline at
 * the end, and nothing written outside the data-root and exec-root (sentinel trees). Seeds are
 * fixed and each property has a time budget, so the run is bounded (at most 90 s of generation;
 * about 60 s in all on 2 busy cores). Cases come from our own seeded {@link Gen} (no shrinking):
 * each property draws from one {@code Random(SEED)}.
 */
@Tag("integration")
class ApiFuzzIT {
  private static final long SEED = 18041804L;
  private static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(20);
  private static final Duration STREAM_GRACE = Duration.ofMillis(300);
  /** Generation budgets, in seconds, of the three properties (90 s in all). */
  private static final long ROUTES_BUDGET = 50, RAW_BUDGET = 10, TARS_BUDGET = 30;

  /**
   * Routes where dockerd 20.10 itself answers a 5xx, and Berth copies it: swarm mode is not
   * active (503 "not a swarm manager", 501 for init/join), service/task logs without a stream
   * (500 "Bad parameters"); VM routes answer 503 where the host has no KVM (Unavailable); the
   * plugin routes answer 501 on purpose (Berth has no plugins); a valid name on the refusing
   * loopback registry is unreachable, not bad input (503).
   */
  private static final String UNREACHABLE =
      "Unavailable: the loopback registry this test names (so no traffic leaves the host) refuses connections";
  private static final List<Allowed5xx> DOCKERD_5XX = List.of(
      new Allowed5xx("/swarm", Set.of(501, 503), "", "dockerd: swarm mode is not active (503; 501 for init/join)"),
      new Allowed5xx("/services/{id}/logs", Set.of(500), "Bad parameters", "dockerd: logs without a stream are a 500"),
      new Allowed5xx("/tasks/{id}/logs", Set.of(500), "Bad parameters", "dockerd: logs without a stream are a 500"),
      new Allowed5xx("/services", Set.of(503), "swarm", "dockerd: not a swarm manager"),
      new Allowed5xx("/secrets", Set.of(503), "swarm", "dockerd: not a swarm manager"),
      new Allowed5xx("/configs", Set.of(503), "swarm", "dockerd: not a swarm manager"),
      new Allowed5xx("/nodes", Set.of(503), "swarm", "dockerd: not a swarm manager"),
      new Allowed5xx("/tasks", Set.of(503), "swarm", "dockerd: not a swarm manager"),
      new Allowed5xx("/berth/v1/vms", Set.of(503), "", "Unavailable: this host has no KVM"),
      new Allowed5xx("/auth", Set.of(503), "registry 127.0.0.1:1 failed while", UNREACHABLE),
      new Allowed5xx("/distribution/{id}/json", Set.of(503), "registry 127.0.0.1:1 failed while", UNREACHABLE),
      new Allowed5xx("/plugins", Set.of(501), "plugins", "Berth has no plugin subsystem, on purpose (compatibility.md)"));

  /** A 5xx a route may give for bad input: its status and a word of its message, and why. */
  record Allowed5xx(String templatePrefix, Set<Integer> statuses, String messageWord, String reason) {
    boolean allows(String template, Answer a) {
      return template.startsWith(templatePrefix) && statuses.contains(a.status()) && a.body().contains(messageWord);
    }
  }

  /**
   * Every route berthd registers (DockerApi's route classes and api.berth), as method and template;
   * but POST /berth/v1/bench, whose valid requests start a real bench run of a minute or more.
   */
  static final List<String[]> ROUTES = routes("""
      GET /_ping|HEAD /_ping|GET /version|GET /info|GET /events|GET /system/df|POST /auth
      GET /containers/json|POST /containers/create|POST /containers/prune
      GET /containers/{id}/json|GET /containers/{id}/top|GET /containers/{id}/logs|GET /containers/{id}/changes
      GET /containers/{id}/export|GET /containers/{id}/stats|POST /containers/{id}/resize|POST /containers/{id}/start
      POST /containers/{id}/stop|POST /containers/{id}/restart|POST /containers/{id}/kill|POST /containers/{id}/update
      POST /containers/{id}/rename|POST /containers/{id}/pause|POST /containers/{id}/unpause|POST /containers/{id}/attach
      POST /containers/{id}/wait|DELETE /containers/{id}|GET /containers/{id}/archive|HEAD /containers/{id}/archive
      PUT /containers/{id}/archive|POST /containers/{id}/exec|POST /exec/{id}/start|POST /exec/{id}/resize|GET /exec/{id}/json
      GET /images/json|POST /build|POST /build/prune|POST /images/create|GET /images/{id}/json|GET /images/{id}/history
      POST /images/{id}/push|POST /images/{id}/tag|DELETE /images/{id}|GET /images/{id}/get|GET /images/get
      POST /images/load|POST /images/prune|POST /commit|GET /distribution/{id}/json
      GET /networks|GET /networks/{id}|POST /networks/create|POST /networks/{id}/connect|POST /networks/{id}/disconnect
      DELETE /networks/{id}|POST /networks/prune
      GET /volumes|GET /volumes/{id}|POST /volumes/create|DELETE /volumes/{id}|POST /volumes/prune
      GET /plugins|GET /plugins/privileges|POST /plugins/pull|POST /plugins/create|GET /plugins/{id}/json
      DELETE /plugins/{id}|POST /plugins/{id}/enable|POST /plugins/{id}/disable|POST /plugins/{id}/push
      POST /plugins/{id}/set|POST /plugins/{id}/upgrade
      GET /swarm|POST /swarm/init|POST /swarm/join|POST /swarm/leave|POST /swarm/update|GET /swarm/unlockkey|POST /swarm/unlock
      GET /services|POST /services/create|GET /services/{id}|POST /services/{id}/update|DELETE /services/{id}|GET /services/{id}/logs
      GET /secrets|POST /secrets/create|GET /secrets/{id}|POST /secrets/{id}/update|DELETE /secrets/{id}
      GET /configs|POST /configs/create|GET /configs/{id}|POST /configs/{id}/update|DELETE /configs/{id}
      GET /nodes|GET /nodes/{id}|POST /nodes/{id}/update|DELETE /nodes/{id}|GET /tasks|GET /tasks/{id}|GET /tasks/{id}/logs
      GET /berth/v1/info|GET /berth/v1/vms|POST /berth/v1/vms/create|GET /berth/v1/vms/{id}|POST /berth/v1/vms/{id}/start
      POST /berth/v1/vms/{id}/stop|POST /berth/v1/vms/{id}/restart|POST /berth/v1/vms/{id}/kill|POST /berth/v1/vms/{id}/pause
      POST /berth/v1/vms/{id}/resume|DELETE /berth/v1/vms/{id}|GET /berth/v1/vms/{id}/logs|POST /berth/v1/vms/{id}/console
      GET /berth/v1/vms/{id}/snapshots|POST /berth/v1/vms/{id}/snapshots|POST /berth/v1/vms/{id}/snapshots/snap/restore
      DELETE /berth/v1/vms/{id}/snapshots/snap|POST /berth/v1/vms/{id}/clone|POST /berth/v1/vms/{id}/commit
      GET /berth/v1/bench|GET /berth/v1/bench/{id}|GET /berth/v1/bench/{id}/report.html
      """);

  /**
   * Routes that would reach a registry or fetch a URL with a usable name: their names get a
   * loopback registry that refuses connections, so no traffic leaves the host.
   */
  private static final Set<String> REGISTRY_ROUTES = Set.of("POST /images/{id}/push", "GET /distribution/{id}/json");

  private static final String ESCAPE = "fuzz-escape-" + UUID.randomUUID().toString().substring(0, 8);

  static Path dir;
  static Path sentinelTmp;
  static BusyboxDaemon busybox;
  static BerthdProcess daemon;
  static Map<String, String> before;
  static Map<String, String> beforeTmpSentinel;
  static Map<String, String> beforeEtc;
  static int baseThreads;
  static int baseFds;
  static final AtomicInteger cases = new AtomicInteger();
  static final Set<String> covered = ConcurrentHashMap.newKeySet();
  static final List<String> fiveHundreds = java.util.Collections.synchronizedList(new ArrayList<>());

  @BeforeAll
  static void startDaemon() throws IOException {
    dir = Files.createTempDirectory("berth-fuzz-it");
    sentinelTmp = Files.createDirectories(Path.of("/tmp/berth-fuzz-sentinel-" + UUID.randomUUID()));
    Sentinel.plant(sentinelTmp);
    Sentinel.plant(Files.createDirectories(dir.resolve("sentinel")));
    busybox = BusyboxDaemon.start(dir);
    daemon = busybox.daemon();
    ensureFuzzbox();
    // warm the daemon's pools (Netty loops, JDBC, executors) before the baseline is taken
    for (String[] r : ROUTES.stream().filter(r -> r[0].equals("GET") && !r[1].equals("/events")).toList()) {
      send(r[0], "/v1.51" + r[1].replace("{id}", "warm"), null, null);
    }
    baseThreads = threads();
    baseFds = fds();
    before = Sentinel.snapshot(dir, outsideRoots());
    beforeTmpSentinel = Sentinel.snapshot(sentinelTmp, p -> false);
    beforeEtc = etcFiles();
    System.out.println("ApiFuzzIT: seed " + SEED + ", baseline threads=" + baseThreads + " fds=" + baseFds);
  }

  @AfterAll
  static void checkAndStop() throws IOException {
    try {
      if (daemon == null) {
        return;
      }
      System.out.println("ApiFuzzIT: " + cases.get() + " generated cases, " + covered.size() + " of " + ROUTES.size()
          + " routes covered (hostile tars on 4 of them, broken HTTP on the socket); 5xx as dockerd gives them: "
          + fiveHundreds.size());
      assertThat(daemon.isAlive()).as(daemon.log()).isTrue();
      boolean settled = Poll.until(Duration.ofSeconds(30), () -> threads() <= baseThreads + 8 && fds() <= baseFds + 16);
      assertThat(settled).as("threads %d (baseline %d), fds %d (baseline %d)", threads(), baseThreads, fds(), baseFds)
          .isTrue();
      assertThat(Sentinel.snapshot(dir, outsideRoots())).as("files outside the roots").isEqualTo(before);
      assertThat(Sentinel.snapshot(sentinelTmp, p -> false)).isEqualTo(beforeTmpSentinel);
      assertThat(etcFiles()).as("/etc/passwd, /etc/shadow, /etc/hosts").isEqualTo(beforeEtc);
      List<Path> landing = new ArrayList<>(List.of(Path.of("/"), Path.of("/tmp"), Path.of("/etc")));
      for (Path p = daemon.dataRoot(); p != null; p = p.getParent()) {
        landing.add(p);
      }
      for (Path p : landing) {
        assertThat(Sentinel.namesStartingWith(p, ESCAPE)).as("escaped files in " + p).isEmpty();
      }
    } finally {
      if (busybox != null) {
        busybox.close();
      }
      Leftovers.removeUnder(dir);
      deleteTree(dir);
      deleteTree(sentinelTmp);
    }
  }

  // ---- property 1: every route, hostile names, wrong methods, hostile bodies and queries ----

  record RouteCase(String[] route, String method, String version, String id, String query, String contentType,
      byte[] body) {
    String target() {
      return version + route[1].replace("{id}", id) + query;
    }

    @Override
    public String toString() {
      String b = body == null ? "none" : new String(body, 0, Math.min(120, body.length), StandardCharsets.UTF_8);
      return method + " " + target().substring(0, Math.min(300, target().length())) + " [" + contentType + "] body=" + b;
    }
  }

  @Test
  void everyRouteAnswersHostileRequestsWithA4xx() throws IOException {
    Gen<RouteCase> routeCases = routeCases();
    Random random = new Random(SEED);
    long deadline = deadline(ROUTES_BUDGET);
    int ran = 0;
    for (; ran < 5000 && System.nanoTime() < deadline; ran++) {
      RouteCase c = routeCases.next(random);
      covered.add(c.route()[0] + " " + c.route()[1]);
      Answer a = send(c.method(), c.target(), c.contentType(), c.body());
      checkAnswer(c.toString(), c.route()[1], c.method(), a);
    }
    System.out.println("ApiFuzzIT: routes ran " + ran + " of 5000 cases");
  }

  static Gen<RouteCase> routeCases() {
    Gen<String[]> route = Gen.of(ROUTES);
    Gen<String> wrongMethod = Gen.of("GET", "POST", "PUT", "DELETE", "HEAD", "PATCH", "OPTIONS", "BREW");
    Gen<String> version = Gen.of("/v1.51", "/v1.24", "", "/v1.44", "/v9.99", "/v0.1", "/vX");
    Gen<String> query = Gen.listOf(Gen.of("all", "force", "filters", "t", "tail", "since", "until", "size", "limit",
        "signal", "v", "link", "timeout", "path", "name", "stdout", "stderr", "dangling", "noprune", "tag", "repo",
        "container", "changes", "h", "w", "ps_args", "one-shot", "condition", "detachKeys", "logs")
        .flatMap(k -> hostileQueryValue().map(v -> k + "=" + v)), 0, 3)
        .map(l -> l.isEmpty() ? "" : "?" + String.join("&", l));
    Gen<Integer> methodPick = Gen.ints(0, 9);
    Gen<String> id = hostileId();
    Gen<String> contentType =
        Gen.of("application/json", "text/plain", "application/x-tar", "application/json; charset=utf-16");
    Gen<byte[]> body = hostileBody();
    return rnd -> {
      String[] r = route.next(rnd);
      int m = methodPick.next(rnd);
      String wrong = wrongMethod.next(rnd), v = version.next(rnd), i = id.next(rnd), q = query.next(rnd);
      String ct = contentType.next(rnd);
      byte[] b = loopbackLogin(r, body.next(rnd));
      return new RouteCase(r, m < 8 ? r[0] : wrong, v, REGISTRY_ROUTES.contains(r[0] + " " + r[1]) ? "127.0.0.1:1/" + i : i,
          q, b == null ? null : ct, b);
    };
  }

  /**
   * POST /auth logs in to the body's serveraddress (docker.io when it has none): its generated body
   * goes inside an object that names a loopback registry refusing connections, so no traffic leaves
   * the host; a body that is no JSON keeps the whole broken.
   */
  private static byte[] loopbackLogin(String[] route, byte[] body) {
    if (body == null || !(route[0] + " " + route[1]).equals("POST /auth")) {
      return body;
    }
    byte[] head = "{\"serveraddress\":\"127.0.0.1:1\",\"x\":".getBytes(StandardCharsets.UTF_8);
    byte[] out = java.util.Arrays.copyOf(head, head.length + body.length + 1);
    System.arraycopy(body, 0, out, head.length, body.length);
    out[out.length - 1] = '}';
    return out;
  }

  /** Hostile values for IDs and names, percent-encoded so that the request line stays valid HTTP. */
  static Gen<String> hostileId() {
    return Gen.of("", "a".repeat(5000), "../", "../../../../etc/passwd", "..", ".", "\0", "nul\0byte",
        "ünïcødé-名前-🚢", "\u202e\uFEFF", "%2F", "a%2F..%2F..%2Fb", "$(touch /tmp/" + ESCAPE + ")", "`id`",
        ";rm -rf /tmp/" + ESCAPE, "|cat /etc/shadow", "&&", "'\"<>", "*", "?x=1", "#frag", "\r\nX-Injected: 1",
        "busybox:latest/../..", "sha256:" + "0".repeat(64), "fuzzbox/../fuzzbox", "-1", " ")
        .map(v -> URLEncoder.encode(v, StandardCharsets.UTF_8).replace("+", "%20"))
        .flatMap(encoded -> Gen.of(encoded, encoded.replace("%2F", "/")));
  }

  static Gen<String> hostileQueryValue() {
    return Gen.of("", "1", "true", "-1", "99999999999999999999999999", "1e309", "NaN", "{", "{\"x\":",
        "{\"dangling\":[1]}", "{\"label\":{\"a\":{\"b\":true}}}", "[]", "null", "\0", "../../..", "/../../etc",
        "SIGFOO", "%", "%zz", "a".repeat(3000), "ü", "$(id)")
        .map(v -> v.equals("%zz") || v.equals("%") ? v : URLEncoder.encode(v, StandardCharsets.UTF_8));
  }

  /** JSON bodies of wrong types, truncated, nested 10,000 levels, with NUL bytes, huge numbers and duplicate keys. */
  static Gen<byte[]> hostileBody() {
    Gen<String> scalar = Gen.of("null", "true", "0", "-1", "1e999999", "99999999999999999999999999999",
        "-0.0", "\"\"", "\"\\u0000\"", "\"../../" + ESCAPE + "\"", "\"" + "x".repeat(70_000) + "\"", "[]", "{}",
        "[1,\"a\",null]", "{\"a\":{\"b\":[{}]}}", "\"ü\\ud800\"", "\"$(touch /tmp/" + ESCAPE + ")\"");
    Gen<String> key = Gen.of("Image", "Cmd", "Entrypoint", "Env", "HostConfig", "Name", "Labels",
        "Driver", "DriverOpts", "Options", "Config", "NetworkingConfig", "Mounts", "Binds", "Memory", "CpuShares",
        "AttachStdout", "Tty", "User", "WorkingDir", "ExposedPorts", "Healthcheck", "Container", "EndpointConfig",
        "username", "password", "serveraddress", "Spec", "RestartPolicy", "PortBindings", "Devices", "Ulimits",
        "Privileged", "Volumes", "StopTimeout", "Detach", "Height", "Width", "");
    Gen<String> member = r -> "\"" + key.next(r) + "\":" + scalar.next(r);
    Gen<String> object = Gen.listOf(member, 1, 4).map(l -> "{" + String.join(",", l) + "}");
    Gen<String> shaped = Gen.oneOf(object, scalar,
        Gen.just("[".repeat(10_000) + "]".repeat(10_000)),
        Gen.just("{\"a\":".repeat(10_000) + "1" + "}".repeat(10_000)),
        Gen.just("{\"HostConfig\":" + "{\"a\":".repeat(5_000)),
        Gen.just("{\"Name\":\"a\",\"Name\":\"b\",\"Name\":3}"),
        Gen.just("{\"Image\":\"nul\u0000byte\"}"),
        Gen.just("\u0000\u0001\u00ff"), Gen.just("{\"Image\":\"busybox\"}garbage"),
        Gen.just("\uFEFF{}"));
    Gen<Integer> cutPick = Gen.ints(0, 3);
    Gen<byte[]> bytes = r -> {
      byte[] b = shaped.next(r).getBytes(StandardCharsets.UTF_8);
      int cut = cutPick.next(r);
      return cut == 0 && b.length > 1 ? java.util.Arrays.copyOf(b, b.length / 2) : b; // truncated
    };
    return Gen.oneOf(Gen.just((byte[]) null), bytes);
  }

  // ---- property 2: HTTP that is not HTTP ----

  @Test
  void brokenHttpNeverKillsOrHangsTheDaemon() throws IOException {
    Gen<byte[]> brokenHttp = brokenHttp();
    Random random = new Random(SEED);
    long deadline = deadline(RAW_BUDGET);
    int ran = 0;
    for (; ran < 400 && System.nanoTime() < deadline; ran++) {
      byte[] bytes = brokenHttp.next(random);
      Answer a = RawHttp.exchange(daemon.socket(), bytes, ANSWER_TIMEOUT, STREAM_GRACE, true);
      cases.incrementAndGet();
      String what = new String(bytes, 0, Math.min(200, bytes.length), StandardCharsets.ISO_8859_1);
      assertThat(a.timedOut()).as("no answer to %s", what).isFalse();
      assertThat(a.status()).as("%s -> %s", what, a).isLessThan(500);
      assertAlive(what);
    }
    System.out.println("ApiFuzzIT: broken HTTP ran " + ran + " of 400 cases");
  }

  static Gen<byte[]> brokenHttp() {
    Gen<String> line = Gen.of("GET /_ping HTTP/1.1", "GET /_ping", "GET  HTTP/1.1", "/_ping HTTP/1.1",
        "GET /_ping HTTP/9.9", "GET /_ping HTTP/0.9", "PRI * HTTP/2.0", "G\0T /_ping HTTP/1.1", "GET /" + "a".repeat(70_000)
            + " HTTP/1.1", "GET /_ping\0 HTTP/1.1", "\r\n\r\nGET /_ping HTTP/1.1", "GET http://x:1/_ping HTTP/1.1",
        "POST /containers/create HTTP/1.1", "GET /v1.51/containers/json?all=1 HTTP/1.1", "", "\u00ff\u00fe");
    Gen<String> header = Gen.of("Host: x", "NoColonHere", ": empty-name", "X-Big: " + "b".repeat(70_000),
        "Content-Length: -1", "Content-Length: abc", "Content-Length: 99999999999999999999", "Content-Length: 5",
        "Content-Length: 5\r\nContent-Length: 7", "Transfer-Encoding: chunked", "Transfer-Encoding: gzip, chunked",
        "Content-Type: application/json", "Expect: 100-continue", "Upgrade: tcp\r\nConnection: Upgrade",
        " folded-continuation", "X-Nul: a\0b", "Content-Encoding: gzip");
    Gen<String> body = Gen.of("", "{", "zz\r\nnot-hex\r\n", "5\r\nabc", "ffffffffffffffff\r\n",
        "0\r\n\r\n", "{\"Image\":\"x\"}", "\0".repeat(100));
    Gen<String> headers = Gen.listOf(header, 0, 4).map(l -> l.stream().map(h -> h + "\r\n").collect(Collectors.joining()));
    Gen<String> headEnd = Gen.of("\r\n", "\n", "", "\r\n\r\n");
    return r -> {
      String l = line.next(r), h = headers.next(r), b = body.next(r), end = headEnd.next(r);
      return (l + "\r\n" + h + end + b).getBytes(StandardCharsets.ISO_8859_1);
    };
  }

  // ---- property 3: hostile tar streams where Berth unpacks tars ----

  record TarCase(String route, List<Entry> entries, boolean truncated) {
    @Override
    public String toString() {
      return route + " " + entries.stream().map(e -> (char) e.kind() + ":" + abbreviate(e.name()) + (e.link() == null ? ""
          : "->" + abbreviate(e.link()))).toList() + (truncated ? " (truncated)" : "");
    }
  }

  static final List<String> TAR_ROUTES = List.of("PUT /containers/fuzzbox/archive?path=/tmp",
      "PUT /containers/fuzzbox/archive?path=/", "POST /images/load?quiet=1",
      "POST /images/create?fromSrc=-&repo=fuzz/import&tag=t", "POST /build?t=fuzz/build:t&rm=1");

  @Test
  void hostileTarsStayInsideTheRoots() throws IOException {
    Gen<TarCase> tarCases = tarCases();
    Random random = new Random(SEED);
    long deadline = deadline(TARS_BUDGET);
    int ran = 0;
    for (; ran < 600 && System.nanoTime() < deadline; ran++) {
      TarCase c = tarCases.next(random);
      String[] mt = c.route().split(" ", 2);
      covered.add(mt[0] + " " + mt[1].replaceFirst("\\?.*", "").replace("fuzzbox", "{id}"));
      ensureFuzzbox(); // a generated prune may have removed it
      Answer a = send(mt[0], "/v1.51" + mt[1], "application/x-tar", HostileTars.tar(c.entries(), c.truncated()));
      checkAnswer(c.toString(), mt[1], mt[0], a);
    }
    System.out.println("ApiFuzzIT: hostile tars ran " + ran + " of 600 cases");
  }

  static Gen<TarCase> tarCases() {
    String s = sentinelTmp.toString();
    Gen<Entry> entry = Gen.of(
        Entry.file("../../" + ESCAPE, "escaped"),
        Entry.file("../../../../../../../../" + ESCAPE, "escaped"),
        Entry.file("/" + ESCAPE, "absolute"),
        Entry.file(s + "/" + ESCAPE, "into the sentinel"),
        Entry.file(s + "/file.txt", "overwritten"),
        Entry.link("esc", TarConstants.LF_SYMLINK, s),
        Entry.file("esc/" + ESCAPE, "through a symlink"),
        Entry.file("esc/file.txt", "through a symlink"),
        Entry.link("up", TarConstants.LF_SYMLINK, "../../../../../../.."),
        Entry.file("up/tmp/" + ESCAPE, "through a relative symlink"),
        Entry.link("hl", TarConstants.LF_LINK, s + "/file.txt"),
        Entry.file("hl", "written through a hardlink"),
        Entry.link("hl2", TarConstants.LF_LINK, "../../../../../../../etc/passwd"),
        Entry.file("hl2", "root::0:0::/:/bin/sh\n"),
        Entry.link("hl4", TarConstants.LF_LINK, "/etc/passwd"),
        Entry.file("hl4", "root::0:0::/:/bin/sh\n"),
        Entry.link("hl3", TarConstants.LF_LINK, "esc/file.txt"),
        Entry.device("dev-mem", TarConstants.LF_CHR),
        Entry.device("dev-blk", TarConstants.LF_BLK),
        Entry.device("fifo", TarConstants.LF_FIFO),
        Entry.link("dir", TarConstants.LF_DIR, null),
        Entry.file("n".repeat(5000), "long name"),
        Entry.withPax("pax-huge", Map.of("path", "p/".repeat(40_000) + "x")),
        Entry.withPax("pax-size", Map.of("size", "99999999999999999999")),
        Entry.withPax("pax-uid", Map.of("uid", "-1", "gid", "99999999999999999999")),
        Entry.withPax("pax-nul", Map.of("path", "a\0b")),
        Entry.file("Dockerfile", "FROM scratch\nCOPY . /\n"),
        Entry.file("Dockerfile", "FROM scratch\nCOPY esc/ /x/\nADD hl /y\n"),
        Entry.file("manifest.json", "[{\"Config\":\"../../../etc/passwd\",\"Layers\":[\"../../" + ESCAPE
            + ".tar\"],\"RepoTags\":[\"fuzz:load\"]}]"),
        Entry.file("manifest.json", "[{\"Config\":\"" + s + "/file.txt\",\"Layers\":[\"" + s + "/sub\"]}]"),
        Entry.file("index.json", "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":"
            + "\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"sha256:../../../etc\",\"size\":1}]}"),
        Entry.file("oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}"),
        Entry.file("repositories", "{\"a\":{\"b\":\"../../../../\"}}"));
    Gen<String> route = Gen.of(TAR_ROUTES);
    Gen<List<Entry>> entries = Gen.listOf(entry, 1, 6);
    Gen<Integer> truncatePick = Gen.ints(0, 5);
    return r -> new TarCase(route.next(r), entries.next(r), truncatePick.next(r) == 0);
  }

  /** A gzip bomb (some 200 KiB, 200 MiB expanded) on each tar route: handled or refused, the disk not filled. */
  @Test
  void gzipBombIsRefusedOrHandledWithoutFillingTheDisk() throws IOException {
    long expanded = 200L << 20;
    byte[] bomb = HostileTars.gzipBomb("bomb", expanded);
    assertThat(bomb.length).isLessThan(1 << 20);
    for (String route : TAR_ROUTES) {
      ensureFuzzbox();
      long free = Files.getFileStore(daemon.dataRoot()).getUsableSpace();
      String[] mt = route.split(" ", 2);
      Answer a = RawHttp.exchange(daemon.socket(), RawHttp.request(mt[0], "/v1.51" + mt[1], "application/x-tar", bomb),
          Duration.ofSeconds(120), Duration.ofSeconds(30), false);
      cases.incrementAndGet();
      checkAnswer("gzip bomb to " + route, mt[1], mt[0], a);
      long used = free - Files.getFileStore(daemon.dataRoot()).getUsableSpace();
      System.out.println("ApiFuzzIT: gzip bomb (" + bomb.length + " bytes, " + expanded + " expanded) to " + route + " -> "
          + a + "; data-root grew by about " + (used >> 20) + " MiB");
      // unpacked once into a rootfs or a build context plus its layer at most: never unbounded
      assertThat(used).as("bytes written for the bomb to %s", route).isLessThan(3 * expanded + (64L << 20));
    }
    send("DELETE", "/v1.51/containers/fuzzbox?force=1", null, null); // its 200 MiB go with it
  }

  // ---- helpers ----

  private static void checkAnswer(String what, String template, String method, Answer a) {
    cases.incrementAndGet();
    assertThat(a.timedOut()).as("no answer within %s to %s", ANSWER_TIMEOUT, what).isFalse();
    assertThat(a.closedWithoutAnswer()).as("connection closed without an answer to %s", what).isFalse();
    if (a.status() >= 500) {
      String allowed = DOCKERD_5XX.stream().filter(x -> x.allows(template, a)).map(Allowed5xx::reason).findFirst()
          .orElse(null);
      assertThat(allowed).as("a %d for bad input: %s -> %s", a.status(), what, a).isNotNull();
      fiveHundreds.add(what);
    }
    if (a.status() >= 400 && !method.equals("HEAD")) {
      assertThat(a.body()).as("a JSON message in %s -> %s", what, a).contains("\"message\"");
    }
    assertAlive(what);
  }

  /** The container the archive routes write into (created, not started: its rootfs is mounted per copy). */
  private static void ensureFuzzbox() throws IOException {
    if (send("GET", "/v1.51/containers/fuzzbox/json", null, null).status() == 404) {
      Answer created = send("POST", "/v1.51/containers/create?name=fuzzbox", "application/json",
          ("{\"Image\":\"" + busybox.image() + "\",\"Cmd\":[\"true\"]}").getBytes(StandardCharsets.UTF_8));
      assertThat(created.status()).as(created.toString()).isEqualTo(201);
    }
  }

  private static void assertAlive(String after) {
    assertThat(daemon.isAlive()).as("berthd died after %s:\n%s", after, daemon.log()).isTrue();
    try {
      Answer ping = send("GET", "/_ping", null, null);
      assertThat(ping.status()).as("/_ping after %s -> %s", after, ping).isEqualTo(200);
    } catch (IOException e) {
      throw new AssertionError("/_ping after " + after + " failed", e);
    }
  }

  private static Answer send(String method, String target, String contentType, byte[] body) throws IOException {
    return RawHttp.exchange(daemon.socket(), RawHttp.request(method, target, contentType, body), ANSWER_TIMEOUT,
        STREAM_GRACE, false);
  }

  /** When a property stops drawing cases: its time budget from now. */
  private static long deadline(long budgetSeconds) {
    return System.nanoTime() + budgetSeconds * 1_000_000_000L;
  }

  private static Predicate<Path> outsideRoots() {
    Path berthd = dir.resolve("berthd");
    return p -> p.startsWith(berthd.resolve("data")) || p.startsWith(berthd.resolve("exec"))
        || p.getFileName().toString().endsWith(".log") || p.startsWith(dir.resolve("registry"));
  }

  private static Map<String, String> etcFiles() {
    Map<String, String> m = new java.util.TreeMap<>();
    for (String f : List.of("/etc/passwd", "/etc/shadow", "/etc/hosts")) {
      m.putAll(Sentinel.snapshot(Path.of(f), p -> false));
    }
    return m;
  }

  private static int threads() {
    try {
      return Files.readAllLines(Path.of("/proc/" + daemon.pid() + "/status")).stream()
          .filter(l -> l.startsWith("Threads:")).mapToInt(l -> Integer.parseInt(l.substring(8).trim())).findFirst()
          .orElseThrow();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static int fds() {
    try (var list = Files.list(Path.of("/proc/" + daemon.pid() + "/fd"))) {
      return (int) list.count();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static String abbreviate(String s) {
    return s.length() > 60 ? s.substring(0, 60) + "…(" + s.length() + ")" : s;
  }

  private static List<String[]> routes(String table) {
    return java.util.Arrays.stream(table.split("[|\n]")).map(String::strip).filter(l -> !l.isEmpty())
        .map(l -> l.split(" ", 2)).toList();
  }

  private static void deleteTree(Path root) throws IOException {
    if (root == null || !Files.exists(root)) {
      return;
    }
    try (var walk = Files.walk(root)) {
      for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}

package dev.berth.daemon.api.berth;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.daemon.http.ApiRequest;
import dev.berth.daemon.http.ApiResponse;
import dev.berth.daemon.http.Json;
import dev.berth.daemon.http.Router;
import dev.berth.engine.BerthException;
import dev.berth.engine.bench.BenchHtml;
import dev.berth.engine.bench.BenchOptions;
import dev.berth.engine.bench.BenchReport;
import dev.berth.engine.bench.BenchService;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code /berth/v1/bench}: run a bench (progress as JSON lines, then the report's ID), list the
 * stored reports, read one as JSON or as its HTML page. docs/bench.md is the schema.
 */
public final class BenchRoutes {
  private static final String BENCH = BerthApi.PREFIX + "/bench";

  private final BenchService bench;

  public BenchRoutes(BenchService bench) {
    this.bench = bench;
  }

  public void register(Router router) {
    router.post(BENCH, this::run);
    router.get(BENCH, (req, res) -> res.json(200, bench.store().list().stream().map(BenchReport::summary).toList()));
    router.get(BENCH + "/{id}", (req, res) -> res.text(200, "application/json", bench.store().json(req.pathParam("id"))));
    router.get(BENCH + "/{id}/report.html", (req, res) -> res.text(200, "text/html; charset=utf-8",
        BenchHtml.render(bench.store().get(req.pathParam("id")))));
  }

  /**
   * The options from the query, then the JSON body's fields (PascalCase) over them. Checked
   * before the stream starts, so a missing image is a plain 404 and a running bench a 409.
   * A client that hangs up does not stop the run: its report is stored all the same.
   */
  private void run(ApiRequest req, ApiResponse res) throws IOException {
    BenchOptions options = options(req);
    bench.check(options);
    try (OutputStream out = res.stream(200, "application/json")) {
      try {
        BenchReport report = bench.run(options, p -> line(out, p));
        Map<String, Object> done = new LinkedHashMap<>();
        done.put("Id", report.id());
        done.put("DurationSeconds", report.durationSeconds());
        line(out, done);
      } catch (RuntimeException e) {
        line(out, Map.of("Error", e.getMessage() == null ? e.toString() : e.getMessage()));
      }
    }
  }

  private static void line(OutputStream out, Object value) {
    try {
      out.write((Json.MAPPER.writeValueAsString(value) + "\n").getBytes(StandardCharsets.UTF_8));
      out.flush();
    } catch (IOException gone) {
      // the client hung up; the bench goes on and its report is stored
    }
  }

  static BenchOptions options(ApiRequest req) throws IOException {
    boolean quick = req.queryFlag("quick");
    int runs = req.queryNumber("runs").map(Long::intValue).orElse(0);
    String image = req.query("image").orElse("");
    List<String> kinds = new ArrayList<>();
    req.queryAll("kinds").forEach(k -> kinds.addAll(split(k)));
    String vmImage = req.query("vm-image").orElse("");
    String dockerHost = req.query("docker-host").orElse("");
    byte[] raw = req.body().readAllBytes();
    if (new String(raw, StandardCharsets.UTF_8).isBlank()) {
      return new BenchOptions(quick, runs, image, kinds, vmImage, dockerHost);
    }
    JsonNode body;
    try {
      body = Json.MAPPER.readTree(raw);
    } catch (IOException e) {
      throw new BerthException.InvalidArgument("the bench request body is not JSON: " + e.getMessage());
    }
    if (!body.isObject()) {
      throw new BerthException.InvalidArgument("the bench request body must be a JSON object");
    }
    if (body.has("Kinds")) {
      kinds.clear();
      body.get("Kinds").forEach(k -> kinds.addAll(split(k.asText())));
    }
    return new BenchOptions(
        body.has("Quick") ? body.get("Quick").asBoolean() : quick,
        body.has("Runs") ? body.get("Runs").asInt() : runs,
        text(body, "Image").orElse(image), kinds,
        text(body, "VmImage").orElse(vmImage),
        text(body, "DockerHost").orElse(dockerHost));
  }

  private static Optional<String> text(JsonNode body, String field) {
    return body.hasNonNull(field) ? Optional.of(body.get(field).asText()) : Optional.empty();
  }

  private static List<String> split(String csv) {
    return Arrays.stream(csv.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
  }
}

package dev.berth.daemon.api.docker;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.daemon.api.berth.BerthApi;
import dev.berth.daemon.http.ApiRequest;
import dev.berth.daemon.http.ApiResponse;
import dev.berth.daemon.http.ErrorMapper;
import dev.berth.daemon.http.Json;
import dev.berth.daemon.http.RawStream;
import dev.berth.daemon.http.Router;
import dev.berth.engine.container.Container;
import dev.berth.engine.container.ContainerConfig;
import dev.berth.engine.container.ContainerService;
import dev.berth.engine.container.ContainerExits.WaitCondition;
import dev.berth.engine.container.ContainerExits.WaitResult;
import dev.berth.engine.runtime.AttachSession;
import java.io.IOException;
import java.io.OutputStream;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Berth's own {@code POST /berth/v1/containers/run}: create, attach, start and wait in one
 * request, for the berth CLI's {@code run}. The docker CLI makes four requests for a run, each a
 * round trip; a client that starts cold (a JVM) pays for every one of them.
 *
 * <p>The body and the {@code name} query are Docker's create; {@code stdin=1} attaches stdin too
 * (for a container with OpenStdin), {@code detachKeys} as in attach. A failed create is a plain
 * HTTP error and leaves nothing. Then, once the start is done, {@code 101 UPGRADED} with the
 * container's ID in {@value #ID_HEADER}, and Docker's multiplexed stream: frames of stream 1 and
 * 2 carry stdout and stderr (a TTY's output is stream 1); the last frame, of stream 3, is a JSON
 * status:
 * {@code {"StatusCode": n, "Error": "…"}} once the container ended (and, with AutoRemove, was
 * removed), {@code {"StartError": "…"}} when it could not start, {@code {"Detached": true}} when
 * the client typed the detach keys.
 */
final class ContainerRunRoute {
  static final String PATH = BerthApi.PREFIX + "/containers/run";
  static final String ID_HEADER = "X-Berth-Container-Id";
  static final int STATUS_STREAM = 3;
  private static final Logger log = LoggerFactory.getLogger(ContainerRunRoute.class);

  private final ContainerService containers;

  ContainerRunRoute(ContainerService containers) {
    this.containers = containers;
  }

  void register(Router router) {
    router.post(PATH, this::run);
  }

  private void run(ApiRequest req, ApiResponse res) throws IOException {
    ContainerConfig config = ContainerJsons.fromCreateRequest(req.jsonBody(JsonNode.class));
    byte[] detachKeys = AttachStreams.detachSequence(req.query("detachKeys").orElse(AttachStreams.DETACH_KEYS));
    Container c = containers.create(req.query("name").orElse(null), config);
    // Both registered before the start, so neither the first output nor the exit can be missed.
    CompletableFuture<WaitResult> ended =
        containers.exits().waitFor(c.id(), c.config().autoRemove() ? WaitCondition.REMOVED : WaitCondition.NEXT_EXIT);
    CompletableFuture<AttachSession> attached = containers.attach().attachWhenStarted(c.id());
    RuntimeException startFailure = null;
    try {
      containers.start(c.id());
    } catch (RuntimeException e) {
      attached.cancel(false);
      startFailure = e;
    }
    // Answered once started (output meanwhile waits in the attach), so a client that resizes
    // the container's terminal at once finds it running.
    RawStream raw = AttachStreams.hijackOrLetGo(res.header(ID_HEADER, c.id()), AttachStreams.MULTIPLEXED, attached);
    OutputStream out = raw.output();
    if (startFailure != null) {
      ErrorMapper.Mapped mapped = ErrorMapper.map(startFailure);
      if (mapped.internal()) {
        log.warn("starting container {} for a run failed", c.id(), startFailure);
      }
      writeStatus(out, Map.of("StartError", mapped.message()));
      return;
    }
    try {
      boolean detached = AttachStreams.pump(attached.get(), raw, true,
          req.queryFlag("stdin") && c.config().openStdin(), true, true, detachKeys);
      if (detached) {
        writeStatus(out, Map.of("Detached", true));
        return;
      }
    } catch (ExecutionException e) {
      // No stdio to copy (conmon's attach socket failed); the exit still comes.
      log.warn("container {} runs, but attaching to it failed: {}", c.id(), e.getCause().getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    }
    WaitResult result;
    try {
      result = ended.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    } catch (ExecutionException e) {
      result = new WaitResult(255, String.valueOf(e.getCause().getMessage()));
    }
    Map<String, Object> status = new LinkedHashMap<>();
    status.put("StatusCode", result.statusCode());
    status.put("Error", result.error());
    writeStatus(out, status);
  }

  private static void writeStatus(OutputStream out, Map<String, Object> status) throws IOException {
    AttachStreams.writeFrame(out, STATUS_STREAM, Json.MAPPER.writeValueAsBytes(status));
  }
}

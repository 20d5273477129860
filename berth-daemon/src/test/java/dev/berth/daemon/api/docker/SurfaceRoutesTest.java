package dev.berth.daemon.api.docker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.daemon.http.ApiServer;
import dev.berth.daemon.http.ApiVersion;
import dev.berth.daemon.http.Dispatcher;
import dev.berth.daemon.http.ListenAddress;
import dev.berth.daemon.http.Router;
import dev.berth.daemon.http.ServerIdentity;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code /_ping}, swarm mode's and the plugins' routes over the real server, answering as dockerd
 * 20.10 does on a node outside a swarm (the texts were captured from it; DifferentialIT compares
 * them live).
 */
class SurfaceRoutesTest {
  private static final String NOT_A_MANAGER = "{\"message\":\"This node is not a swarm manager. Use \\\"docker swarm"
      + " init\\\" or \\\"docker swarm join\\\" to connect this node to swarm and try again.\"}\n";

  private ApiServer server;
  private URI base;
  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeEach
  void start() throws Exception {
    Router router = new Router();
    new SystemRoutes(null, () -> "none").register(router);
    new SwarmRoutes().register(router);
    new PluginRoutes().register(router);
    server = new ApiServer(new Dispatcher(router, ApiVersion.parse("1.24"), ApiVersion.parse("1.51")),
        new ServerIdentity("Berth/test (linux)", "1.51", "linux"));
    base = URI.create("http://127.0.0.1:" + ((ListenAddress.Tcp) server.listen("tcp://127.0.0.1:0")).port());
  }

  @AfterEach
  void stop() throws Exception {
    server.stop(Duration.ofSeconds(1));
  }

  private HttpResponse<String> send(String method, String path) throws Exception {
    return http.send(HttpRequest.newBuilder(base.resolve(path)).method(method, HttpRequest.BodyPublishers.noBody())
        .build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void pingHeadHasNoBodyAndContentLengthZeroGetSaysOk() throws Exception {
    HttpResponse<String> head = send("HEAD", "/_ping");
    assertThat(head.statusCode()).isEqualTo(200);
    assertThat(head.body()).isEmpty();
    assertThat(head.headers().firstValue("Content-Length")).contains("0");
    HttpResponse<String> get = send("GET", "/v1.41/_ping");
    assertThat(get.body()).isEqualTo("OK");
    for (HttpResponse<String> r : java.util.List.of(head, get)) {
      assertThat(r.headers().firstValue("Api-Version")).contains("1.51");
      assertThat(r.headers().firstValue("Builder-Version")).contains("1");
      assertThat(r.headers().firstValue("Docker-Experimental")).contains("false");
      assertThat(r.headers().firstValue("Ostype")).contains("linux");
      assertThat(r.headers().firstValue("Cache-Control")).contains("no-cache, no-store, must-revalidate");
      assertThat(r.headers().firstValue("Pragma")).contains("no-cache");
      assertThat(r.headers().firstValue("Content-Type")).contains("text/plain; charset=utf-8");
      assertThat(r.headers().firstValue("Date")).isPresent();
    }
  }

  @Test
  void swarmRoutesAnswerAsANodeOutsideASwarm() throws Exception {
    for (String[] call : new String[][] {{"GET", "/swarm"}, {"GET", "/v1.41/services"}, {"GET", "/nodes/abc"},
        {"POST", "/secrets/create"}, {"DELETE", "/configs/x"}, {"GET", "/tasks"}, {"POST", "/swarm/unlock"},
        {"GET", "/swarm/unlockkey"}, {"POST", "/services/s1/update?version=3"}, {"GET", "/tasks/t/logs?stdout=1"}}) {
      HttpResponse<String> r = send(call[0], call[1]);
      assertThat(r.statusCode()).as(call[1]).isEqualTo(503);
      assertThat(r.body()).as(call[1]).isEqualTo(NOT_A_MANAGER);
    }
    HttpResponse<String> leave = send("POST", "/swarm/leave?force=1");
    assertThat(leave.statusCode()).isEqualTo(503);
    assertThat(leave.body()).isEqualTo("{\"message\":\"This node is not part of a swarm\"}\n");
    HttpResponse<String> noStream = send("GET", "/services/s1/logs");
    assertThat(noStream.statusCode()).isEqualTo(500);
    assertThat(noStream.body()).contains("you must choose at least one stream");
    HttpResponse<String> init = send("POST", "/swarm/init");
    assertThat(init.statusCode()).isEqualTo(501);
    assertThat(init.body()).contains("Berth does not support swarm mode");
  }

  @Test
  void pluginsAreAnEmptyListAndEveryNamedPluginIsMissing() throws Exception {
    HttpResponse<String> list = send("GET", "/plugins");
    assertThat(list.statusCode()).isEqualTo(200);
    assertThat(list.body()).isEqualTo("[]\n");
    assertThat(send("GET", "/plugins?filters=%7B%22bogus%22%3A%5B%22x%22%5D%7D").statusCode()).isEqualTo(400);
    HttpResponse<String> inspect = send("GET", "/plugins/vieux/sshfs/json");
    assertThat(inspect.statusCode()).isEqualTo(404);
    assertThat(inspect.body()).isEqualTo("{\"message\":\"plugin \\\"vieux/sshfs\\\" not found\"}\n");
    assertThat(send("DELETE", "/plugins/abc").body()).contains("plugin \\\"abc\\\" not found");
    assertThat(send("POST", "/plugins/abc/upgrade?remote=abc").body()).contains("plugin \\\"abc:latest\\\" not found");
    assertThat(send("POST", "/plugins/pull?remote=abc").statusCode()).isEqualTo(501);
  }
}

package dev.berth.daemon.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.engine.BerthException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DispatcherTest {

  /** A response that records what the route sent. */
  static final class Recorded implements ApiResponse {
    int status;
    Object body;
    boolean committed;

    @Override
    public ApiResponse header(String name, String value) {
      return this;
    }

    @Override
    public void json(int status, Object body) {
      this.status = status;
      this.body = body;
      committed = true;
    }

    @Override
    public void text(int status, String contentType, String body) {
      json(status, body);
    }

    @Override
    public void empty(int status) {
      json(status, null);
    }

    @Override
    public OutputStream stream(int status, String contentType) {
      json(status, null);
      return OutputStream.nullOutputStream();
    }

    @Override
    public RawStream hijack(String contentType) {
      throw new UnsupportedOperationException();
    }

    @Override
    public boolean committed() {
      return committed;
    }
  }

  record FakeExchange(String method, String rawPath, Recorded response) implements Dispatcher.Exchange {
    @Override
    public ApiRequest request(Optional<ApiVersion> version, String path, Map<String, String> params) {
      return new ApiRequest() {
        public String method() { return method; }
        public String path() { return path; }
        public Optional<ApiVersion> apiVersion() { return version; }
        public String pathParam(String name) { return params.get(name); }
        public Optional<String> query(String name) { return Optional.empty(); }
        public List<String> queryAll(String name) { return List.of(); }
        public Map<String, List<String>> queryParameters() { return Map.of(); }
        public Optional<String> header(String name) { return Optional.empty(); }
        public InputStream body() { return InputStream.nullInputStream(); }
        public <T> T jsonBody(Class<T> type) { throw new UnsupportedOperationException(); }
      };
    }
  }

  private final Router router = new Router()
      .get("/version", (req, res) -> res.json(200, Map.of("v", req.apiVersion().map(Object::toString).orElse("none"))))
      .get("/containers/{id}/json", (req, res) -> {
        throw new BerthException.NotFound("No such container: " + req.pathParam("id"));
      })
      .get("/boom", (req, res) -> {
        throw new IllegalStateException("kaput");
      })
      .get("/silent", (req, res) -> {})
      .get("/leaky", (req, res) -> {
        throw new java.io.IOException("/opt/secret/file: broken, /data/ok/x fine");
      })
      .get("/deliberate", (req, res) -> {
        throw new dev.berth.engine.BerthException.InvalidArgument("bind source path does not exist: /srv/x");
      });
  private final Dispatcher dispatcher =
      new Dispatcher(router, ApiVersion.parse("1.24"), ApiVersion.parse("1.51"), List.of(Path.of("/data")));

  private Recorded call(String method, String path) {
    Recorded r = new Recorded();
    dispatcher.dispatch(new FakeExchange(method, path, r));
    return r;
  }

  @Test
  void servesVersionedAndUnversionedPaths() {
    assertThat(call("GET", "/version").body).isEqualTo(Map.of("v", "none"));
    assertThat(call("GET", "/v1.44/version").body).isEqualTo(Map.of("v", "1.44"));
    assertThat(call("GET", "/v1.24/version").status).isEqualTo(200);
    assertThat(call("GET", "/v1.51/version").status).isEqualTo(200);
  }

  @Test
  void tooNewAndTooOldVersionsAre400InDockersWords() {
    Recorded tooNew = call("GET", "/v1.99/version");
    assertThat(tooNew.status).isEqualTo(400);
    assertThat(tooNew.body).isEqualTo(Map.of("message",
        "client version 1.99 is too new. Maximum supported API version is 1.51"));
    Recorded tooOld = call("GET", "/v1.12/version");
    assertThat(tooOld.status).isEqualTo(400);
    assertThat(tooOld.body).isEqualTo(Map.of("message", "client version 1.12 is too old. Minimum supported API "
        + "version is 1.24, please upgrade your client to a newer version"));
  }

  @Test
  void unknownRouteIs404PageNotFound() {
    Recorded r = call("GET", "/nope");
    assertThat(r.status).isEqualTo(404);
    assertThat(r.body).isEqualTo(Map.of("message", "page not found"));
  }

  @Test
  void engineErrorsAndCrashesBecomeJsonErrors() {
    Recorded notFound = call("GET", "/v1.44/containers/abc/json");
    assertThat(notFound.status).isEqualTo(404);
    assertThat(notFound.body).isEqualTo(Map.of("message", "No such container: abc"));
    Recorded boom = call("GET", "/boom");
    assertThat(boom.status).isEqualTo(500);
    assertThat(((Map<?, ?>) boom.body).get("message").toString()).contains("kaput");
  }

  @Test
  void aRouteThatSendsNothingIsAnInternalError() {
    assertThat(call("GET", "/silent").status).isEqualTo(500);
  }

  @Test
  void internalErrorsHideHostPathsOutsideTheDataRootButClientErrorsKeepTheirs() {
    assertThat(call("GET", "/leaky").body).isEqualTo(Map.of("message",
        "internal error in berthd: <path>: broken, /data/ok/x fine (details are in the daemon log)"));
    assertThat(call("GET", "/deliberate").body).isEqualTo(Map.of("message", "bind source path does not exist: /srv/x"));
  }
}

package dev.berth.daemon.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class RouterTest {
  private final Route a = (req, res) -> {};
  private final Route b = (req, res) -> {};
  private final Route c = (req, res) -> {};

  @Test
  void matchesLiteralsAndParameters() {
    Router router = new Router().get("/containers/json", a).get("/containers/{id}/json", b);
    assertThat(router.match("GET", "/containers/json")).get().extracting(Router.Match::route).isSameAs(a);
    Router.Match m = router.match("GET", "/containers/abc123/json").orElseThrow();
    assertThat(m.route()).isSameAs(b);
    assertThat(m.params()).containsEntry("id", "abc123");
  }

  @Test
  void methodMustMatch() {
    Router router = new Router().get("/version", a);
    assertThat(router.match("POST", "/version")).isEmpty();
    assertThat(router.match("GET", "/versions")).isEmpty();
  }

  @Test
  void greedyParameterTakesSlashesAndEncodedSlashes() {
    Router router = new Router().get("/images/{name:.*}/json", c);
    assertThat(router.match("GET", "/images/docker.io/library/busybox:latest/json").orElseThrow().params())
        .containsEntry("name", "docker.io/library/busybox:latest");
    assertThat(router.match("GET", "/images/localhost%3A5000%2Fa%2Fb/json").orElseThrow().params())
        .containsEntry("name", "localhost:5000/a/b");
    assertThat(router.match("GET", "/images//json")).isEmpty();
  }

  @Test
  void aBrokenPercentEscapeIsTheClientsError() {
    Router router = new Router().get("/containers/{id}/json", b);
    assertThatThrownBy(() -> router.match("GET", "/containers/abc%2/json"))
        .isInstanceOfSatisfying(ApiError.class, e -> assertThat(e.status()).isEqualTo(400))
        .hasMessageContaining("invalid URL escape in the request path");
    assertThatThrownBy(() -> router.match("GET", "/containers/a%zzb/json")).isInstanceOf(ApiError.class);
  }

  @Test
  void plusInAPathSegmentIsLiteral() {
    Router router = new Router().get("/x/{v}", a);
    assertThat(router.match("GET", "/x/a+b").orElseThrow().params()).containsEntry("v", "a+b");
  }

  @Test
  void rejectsTwoGreedyParameters() {
    assertThatThrownBy(() -> new Router().get("/{a:.*}/{b:.*}", a)).isInstanceOf(IllegalArgumentException.class);
  }
}

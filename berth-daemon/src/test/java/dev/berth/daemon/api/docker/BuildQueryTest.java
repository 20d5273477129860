package dev.berth.daemon.api.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.daemon.http.ApiRequest;
import dev.berth.daemon.http.ApiResponse;
import dev.berth.daemon.http.ApiVersion;
import dev.berth.daemon.http.RawStream;
import dev.berth.engine.BerthException;
import dev.berth.engine.build.BuildEvent;
import dev.berth.engine.build.BuildException;
import dev.berth.engine.build.BuildRequest;
import dev.berth.engine.container.ContainerConfig;
import dev.berth.engine.image.registry.BasicCredentials;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** POST /build's query as docker's clients send it, and the answer's message shapes. */
class BuildQueryTest {

  /** A request carrying only a query string and headers. */
  static ApiRequest request(String query, Map<String, String> headers) {
    QueryStringDecoder q = new QueryStringDecoder("/build?" + query);
    return new ApiRequest() {
      public String method() {
        return "POST";
      }

      public String path() {
        return "/build";
      }

      public Optional<ApiVersion> apiVersion() {
        return Optional.empty();
      }

      public String pathParam(String name) {
        throw new IllegalArgumentException(name);
      }

      public Optional<String> query(String name) {
        return queryAll(name).stream().findFirst();
      }

      public List<String> queryAll(String name) {
        return q.parameters().getOrDefault(name, List.of());
      }

      public Map<String, List<String>> queryParameters() {
        return q.parameters();
      }

      public Optional<String> header(String name) {
        return Optional.ofNullable(headers.get(name));
      }

      public InputStream body() {
        return InputStream.nullInputStream();
      }

      public <T> T jsonBody(Class<T> type) {
        throw new UnsupportedOperationException();
      }
    };
  }

  private static BuildRequest parse(String query) {
    return BuildQuery.parse(request(query, Map.of())).request(dev.berth.engine.filesystem.BuildContext.of(Path.of("/ctx")), null);
  }

  @Test
  void theDockerClisQueryBecomesTheEnginesRequest() throws Exception {
    // as DOCKER_BUILDKIT=0 docker build -t a:1 -t b --build-arg X=1 --build-arg UNSET --label l=v
    //   --target t --no-cache --pull --network host --add-host h:1.2.3.4 --shm-size 64m -m 100m
    //   --cpu-shares 512 --cpuset-cpus 0 --ulimit nofile=100:200 --cache-from c:1 -f sub/Dockerfile.dev
    BuildRequest r = parse("t=a:1&t=b&buildargs=%7B%22X%22:%221%22,%22UNSET%22:null%7D&labels=%7B%22l%22:%22v%22%7D"
        + "&target=t&nocache=1&pull=1&networkmode=host&extrahosts=h:1.2.3.4&shmsize=67108864&memory=104857600"
        + "&memswap=-1&cpushares=512&cpusetcpus=0&cpuperiod=100000&cpuquota=50000"
        + "&ulimits=%5B%7B%22Name%22:%22nofile%22,%22Hard%22:200,%22Soft%22:100%7D%5D"
        + "&cachefrom=%5B%22c:1%22%5D&dockerfile=sub/Dockerfile.dev&rm=1&forcerm=0&platform=linux/amd64");
    assertThat(r.tags()).containsExactly("a:1", "b");
    assertThat(r.buildArgs()).containsEntry("X", "1").containsEntry("UNSET", null);
    assertThat(r.labels()).containsExactly(Map.entry("l", "v"));
    assertThat(r.target()).contains("t");
    assertThat(r.noCache()).isTrue();
    assertThat(r.pull()).isTrue();
    assertThat(r.networkMode()).isEqualTo("host");
    assertThat(r.extraHosts()).containsExactly("h:1.2.3.4");
    assertThat(r.shmSize()).isEqualTo(64L << 20);
    assertThat(r.resources().memory()).isEqualTo(100L << 20);
    assertThat(r.resources().memorySwap()).isEqualTo(-1);
    assertThat(r.resources().cpuShares()).isEqualTo(512);
    assertThat(r.resources().cpusetCpus()).isEqualTo("0");
    assertThat(r.resources().cpuPeriod()).isEqualTo(100000);
    assertThat(r.resources().cpuQuota()).isEqualTo(50000);
    assertThat(r.resources().ulimits()).containsExactly(new ContainerConfig.Ulimit("nofile", 100, 200));
    assertThat(r.cacheFrom()).containsExactly("c:1");
    assertThat(r.dockerfile()).isEqualTo("sub/Dockerfile.dev");
    assertThat(r.platform()).contains("linux/amd64");
    assertThat(r.removeIntermediate()).isTrue();
    assertThat(r.forceRemove()).isFalse();
    assertThat(r.context().directory()).isEqualTo(Path.of("/ctx"));
  }

  @Test
  void defaultsAreDockers() {
    BuildRequest r = parse("");
    assertThat(r.dockerfile()).isEqualTo("Dockerfile");
    assertThat(r.removeIntermediate()).as("rm defaults to true").isTrue();
    assertThat(r.tags()).isEmpty();
    assertThat(r.networkMode()).isEqualTo("default");
    assertThat(r.resources().memory()).isZero();
    assertThat(BuildQuery.parse(request("", Map.of())).quiet()).isFalse();
    assertThat(BuildQuery.parse(request("q=1", Map.of())).quiet()).isTrue();
  }

  @Test
  void rmFalseKeepsContainersUnlessForcerm() {
    assertThat(parse("rm=0").removeIntermediate()).isFalse();
    assertThat(parse("rm=0&forcerm=1").removeIntermediate()).isTrue();
    assertThat(parse("rm=0&forcerm=1").forceRemove()).isTrue();
  }

  @Test
  void aDockerfileSentBesideTheContextIsAPathInsideIt() {
    // docker build -f /elsewhere/Dockerfile . adds it to the tar as .dockerfile.<random>
    assertThat(parse("dockerfile=.dockerfile.0123456789abcdef0123").dockerfile())
        .isEqualTo(".dockerfile.0123456789abcdef0123");
    assertThat(parse("dockerfile=/Dockerfile").dockerfile()).isEqualTo("Dockerfile");
  }

  @Test
  void whatTheClassicBuilderCannotDoIsRefusedClearly() {
    assertThatThrownBy(() -> parse("remote=https://github.com/x/y.git"))
        .isInstanceOf(BerthException.InvalidArgument.class).hasMessageContaining("remote build contexts")
        .hasMessageContaining("tar");
    assertThatThrownBy(() -> parse("outputs=%5B%7B%22Type%22:%22local%22%7D%5D"))
        .isInstanceOf(BerthException.InvalidArgument.class).hasMessageContaining("BuildKit");
    assertThatThrownBy(() -> parse("version=2")).isInstanceOf(BerthException.InvalidArgument.class)
        .hasMessageContaining("DOCKER_BUILDKIT=0");
    assertThatThrownBy(() -> parse("isolation=hyperv")).isInstanceOf(BerthException.InvalidArgument.class)
        .hasMessageContaining("Unsupported isolation");
    assertThat(parse("version=1").isolation()).isEmpty();
    assertThat(parse("isolation=vm").isolation()).isEqualTo("vm");
  }

  @Test
  void malformedParametersNameWhatWasWrong() {
    assertThatThrownBy(() -> parse("buildargs=%7Bnope")).isInstanceOf(BerthException.InvalidArgument.class)
        .hasMessageStartingWith("error reading build args");
    assertThatThrownBy(() -> parse("labels=%5B%5D")).isInstanceOf(BerthException.InvalidArgument.class)
        .hasMessageStartingWith("error reading labels");
    assertThatThrownBy(() -> parse("ulimits=x")).isInstanceOf(BerthException.InvalidArgument.class)
        .hasMessageStartingWith("error reading ulimit settings");
    assertThatThrownBy(() -> parse("shmsize=64m")).isInstanceOf(BerthException.InvalidArgument.class)
        .hasMessageContaining("shmsize");
    assertThat(parse("memory=lots").resources().memory()).as("dockerd's Int64ValueOrZero").isZero();
  }

  @Test
  void registryConfigGivesEachRegistryItsCredentials() {
    String json = "{\"https://index.docker.io/v1/\":{\"username\":\"hub\",\"password\":\"p1\"},"
        + "\"localhost:5000\":{\"auth\":\"" + Base64.getEncoder().encodeToString("me:p2".getBytes()) + "\"},"
        + "\"http://other:5001\":{}}";
    String header = Base64.getUrlEncoder().encodeToString(json.getBytes(StandardCharsets.UTF_8));
    var auth = RegistryAuth.decodeConfig(Optional.of(header));
    assertThat(auth.apply("docker.io")).contains(new BasicCredentials("hub", "p1"));
    assertThat(auth.apply("localhost:5000")).contains(new BasicCredentials("me", "p2"));
    assertThat(auth.apply("other:5001")).isEmpty();
    assertThat(RegistryAuth.decodeConfig(Optional.empty()).apply("docker.io")).isEmpty();
  }

  @Test
  void untilFiltersAreGoDurations() {
    assertThat(BuildRoutes.goDuration("24h")).isEqualTo(Duration.ofHours(24));
    assertThat(BuildRoutes.goDuration("1h30m")).isEqualTo(Duration.ofMinutes(90));
    assertThat(BuildRoutes.goDuration("1.5s")).isEqualTo(Duration.ofMillis(1500));
    assertThatThrownBy(() -> BuildRoutes.goDuration("yesterday")).isInstanceOf(BerthException.InvalidArgument.class);
  }

  /** A response that collects what a route streams. */
  static final class Captured implements ApiResponse {
    final ByteArrayOutputStream body = new ByteArrayOutputStream();
    int status;

    public ApiResponse header(String name, String value) {
      return this;
    }

    public void json(int status, Object body) {
      throw new UnsupportedOperationException();
    }

    public void text(int status, String contentType, String body) {
      throw new UnsupportedOperationException();
    }

    public void empty(int status) {
      throw new UnsupportedOperationException();
    }

    public OutputStream stream(int status, String contentType) {
      this.status = status;
      return body;
    }

    public RawStream hijack(String contentType) {
      throw new UnsupportedOperationException();
    }

    public boolean committed() {
      return status != 0;
    }

    String text() {
      return body.toString(StandardCharsets.UTF_8);
    }
  }

  @Test
  void messagesAreTheLegacyBuildersLines() throws Exception {
    Captured res = new Captured();
    BuildMessages m = new BuildMessages(res, false);
    m.event(new BuildEvent.Stream("Step 1/2 : FROM busybox\n"));
    m.event(new BuildEvent.Stream("a > b & c\n"));
    m.event(new BuildEvent.Aux("sha256:abc"));
    m.failed(new BuildException("The command '/bin/sh -c exit 3' returned a non-zero code: 3", 3, null));
    m.close();
    assertThat(res.text()).isEqualTo("""
        {"stream":"Step 1/2 : FROM busybox"}
        {"stream":"\\n"}
        {"stream":"a \\u003e b \\u0026 c\\n"}
        {"aux":{"ID":"sha256:abc"}}
        {"errorDetail":{"code":3,"message":"The command '/bin/sh -c exit 3' returned a non-zero code: 3"},\
        "error":"The command '/bin/sh -c exit 3' returned a non-zero code: 3"}
        """);
  }

  @Test
  void otherFailuresCarryNoCode() throws Exception {
    Captured res = new Captured();
    BuildMessages m = new BuildMessages(res, false);
    m.event(new BuildEvent.Stream("Step 1/1 : FROM nope\n"));
    m.failed(new BerthException.NotFound("pull access denied for nope"));
    assertThat(res.text()).endsWith("{\"errorDetail\":{\"message\":\"pull access denied for nope\"},"
        + "\"error\":\"pull access denied for nope\"}\n");
  }

  @Test
  void quietAnswersTheIdAloneOrTheHeldLinesAndTheError() throws Exception {
    Captured ok = new Captured();
    BuildMessages m = new BuildMessages(ok, true);
    m.event(new BuildEvent.Stream("Step 1/1 : FROM busybox\n"));
    m.event(new BuildEvent.Aux("sha256:abc"));
    m.built("sha256:abc");
    m.close();
    assertThat(ok.text()).isEqualTo("{\"stream\":\"sha256:abc\\n\"}\n");

    Captured failed = new Captured();
    BuildMessages f = new BuildMessages(failed, true);
    assertThat(f.failureGoesInStream()).as("nothing held: a plain error status").isFalse();
    f.event(new BuildEvent.Stream("Step 1/1 : RUN false\n"));
    assertThat(f.failureGoesInStream()).isTrue();
    f.failed(new BuildException("The command '/bin/sh -c false' returned a non-zero code: 1", 1, null));
    assertThat(failed.text()).startsWith("{\"stream\":\"Step 1/1 : RUN false\"}\n{\"stream\":\"\\n\"}\n"
        + "{\"errorDetail\":{\"code\":1,");
  }

  @Test
  void anUnknownKeyInTheRegistryConfigIsHarmless() {
    Map<String, String> headers = new HashMap<>();
    headers.put("X-Registry-Config", Base64.getEncoder().encodeToString("{}".getBytes()));
    assertThat(BuildQuery.parse(request("", headers)).tags()).isEmpty();
  }
}

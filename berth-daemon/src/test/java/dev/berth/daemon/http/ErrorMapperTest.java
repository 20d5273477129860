package dev.berth.daemon.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.engine.BerthException;
import org.junit.jupiter.api.Test;

class ErrorMapperTest {

  @Test
  void engineErrorsMapToDockerStatusCodes() {
    assertThat(ErrorMapper.map(new BerthException.NotFound("No such image: x")))
        .isEqualTo(new ErrorMapper.Mapped(404, "No such image: x", false));
    assertThat(ErrorMapper.map(new BerthException.Conflict("name in use")).status()).isEqualTo(409);
    assertThat(ErrorMapper.map(new BerthException.InvalidArgument("bad --memory")).status()).isEqualTo(400);
    assertThat(ErrorMapper.map(new BerthException.Unavailable("no runc")).status()).isEqualTo(503);
  }

  @Test
  void unexpectedErrorsAre500AndMarkedForTheLog() {
    ErrorMapper.Mapped m = ErrorMapper.map(new IllegalStateException("boom"));
    assertThat(m.status()).isEqualTo(500);
    assertThat(m.internal()).isTrue();
    assertThat(m.message()).contains("boom").contains("daemon log");
  }

  @Test
  void aClientThatHungUpIsNotAnInternalError() {
    ClientGoneException gone = new ClientGoneException(new java.io.IOException("Broken pipe"));
    assertThat(ErrorMapper.map(gone).internal()).isFalse();
    assertThat(ErrorMapper.map(new java.io.UncheckedIOException(gone)).internal()).isFalse();
    assertThat(ErrorMapper.map(new java.io.IOException("disk full")).internal()).isTrue();
  }

  @Test
  void aFullDiskIsDockerds500WithItsWordsAndNoTrace() {
    ErrorMapper.Mapped named = ErrorMapper.map(new dev.berth.engine.sys.NoSpaceLeft("commit of container abc",
        new java.io.IOException("No space left on device")));
    assertThat(named).isEqualTo(new ErrorMapper.Mapped(500, "commit of container abc failed: no space left on device: "
        + "free space on the disk of the data-root and try again", false));
    ErrorMapper.Mapped unnamed = ErrorMapper.map(new java.io.UncheckedIOException(
        new java.nio.file.FileSystemException("/var/lib/berth/x", null, "No space left on device")));
    assertThat(unnamed.status()).isEqualTo(500);
    assertThat(unnamed.internal()).isFalse();
    assertThat(unnamed.message()).contains("no space left on device");
  }

  @Test
  void malformedJsonNamesTheProblemAndWhere() {
    JsonProcessingException e = null;
    try {
      new ObjectMapper().readTree("{\"Image\": busybox}");
    } catch (JsonProcessingException caught) {
      e = caught;
    }
    ErrorMapper.Mapped m = ErrorMapper.map(e);
    assertThat(m.status()).isEqualTo(400);
    assertThat(m.message()).startsWith("invalid JSON in request body: ").contains("line 1, column");
  }

  @Test
  void a500ShowsNoHostPathOutsideTheDataRootAndNoStackFrames() {
    java.util.List<java.nio.file.Path> dataRoot = java.util.List.of(java.nio.file.Path.of("/var/lib/berth"));
    assertThat(ErrorMapper.forClient("internal error in berthd: /etc/berth/secret.json: permission denied "
        + "(cannot write /var/lib/berth/containers/abc/config.json, not /var/lib/berthx)", dataRoot))
        .isEqualTo("internal error in berthd: <path>: permission denied "
            + "(cannot write /var/lib/berth/containers/abc/config.json, not <path>)");
    assertThat(ErrorMapper.forClient("runc failed: exec: \"/usr/sbin/runc\": no such file", dataRoot))
        .isEqualTo("runc failed: exec: \"<path>\": no such file");
    assertThat(ErrorMapper.forClient("boom\n\tat dev.berth.engine.X.y(X.java:12)\n\tat java.base/java.lang.Thread.run(Thread.java:1583)\n"
        + "\t... 3 more", dataRoot)).isEqualTo("boom");
    assertThat(ErrorMapper.forClient("image is 3/4 done", dataRoot)).isEqualTo("image is 3/4 done");
  }
}

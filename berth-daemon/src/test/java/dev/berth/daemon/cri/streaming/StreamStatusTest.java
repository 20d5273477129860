package dev.berth.daemon.cri.streaming;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class StreamStatusTest {
  @Test
  void successIsGosMetav1StatusJson() {
    assertThat(new String(StreamStatus.success().json(), StandardCharsets.UTF_8))
        .isEqualTo("{\"metadata\":{},\"status\":\"Success\"}");
    assertThat(StreamStatus.success().text()).isEmpty();
  }

  @Test
  void aNonZeroExitCarriesItsCodeAsACause() {
    StreamStatus s = StreamStatus.exitCode(3, List.of("sh", "-c", "exit 3"));
    assertThat(new String(s.json(), StandardCharsets.UTF_8)).isEqualTo("{\"metadata\":{},\"status\":\"Failure\","
        + "\"message\":\"command terminated with non-zero exit code: error executing command [sh -c exit 3], exit code 3\","
        + "\"reason\":\"NonZeroExitCode\",\"details\":{\"causes\":[{\"reason\":\"ExitCode\",\"message\":\"3\"}]}}");
    assertThat(new String(s.text(), StandardCharsets.UTF_8))
        .isEqualTo("command terminated with non-zero exit code: error executing command [sh -c exit 3], exit code 3");
  }

  @Test
  void anInternalErrorHasCode500() {
    assertThat(new String(StreamStatus.internalError("boom").json(), StandardCharsets.UTF_8))
        .isEqualTo("{\"metadata\":{},\"status\":\"Failure\",\"message\":\"Internal error occurred: boom\","
            + "\"reason\":\"InternalError\",\"details\":{\"causes\":[{\"message\":\"boom\"}]},\"code\":500}");
  }
}

package dev.berth.engine.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.engine.BerthException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ImageChangesTest {
  private static final ImageConfig.RunConfig EMPTY =
      new ImageConfig.RunConfig(null, null, null, null, null, null, null, null, null, null, null, null, null, null);

  @Test
  void dockerfileInstructionsSetTheRunConfig() {
    ImageConfig.RunConfig c = ImageChanges.apply(EMPTY, List.of(
        "CMD [\"echo\", \"hi\"]", "ENTRYPOINT /bin/app --flag", "ENV A=1 B=\"two words\"", "ENV A=3",
        "WORKDIR /srv", "USER nobody", "EXPOSE 80 53/udp", "LABEL org.x=y", "VOLUME /data", "STOPSIGNAL SIGINT"));
    assertThat(c.cmd()).containsExactly("echo", "hi");
    assertThat(c.entrypoint()).containsExactly("/bin/sh", "-c", "/bin/app --flag");
    assertThat(c.env()).containsExactly("B=two words", "A=3");
    assertThat(c.workingDir()).isEqualTo("/srv");
    assertThat(c.user()).isEqualTo("nobody");
    assertThat(c.exposedPorts()).containsOnlyKeys("80/tcp", "53/udp");
    assertThat(c.labels()).isEqualTo(Map.of("org.x", "y"));
    assertThat(c.volumes()).containsOnlyKeys("/data");
    assertThat(c.stopSignal()).isEqualTo("SIGINT");
  }

  @Test
  void unsupportedOrIncompleteInstructionsAreNamed() {
    assertThatThrownBy(() -> ImageChanges.apply(EMPTY, List.of("RUN rm -rf /")))
        .isInstanceOf(BerthException.InvalidArgument.class).hasMessageContaining("RUN is not supported");
    assertThatThrownBy(() -> ImageChanges.apply(EMPTY, List.of("CMD")))
        .hasMessageContaining("CMD needs an argument");
    assertThatThrownBy(() -> ImageChanges.apply(EMPTY, List.of("CMD [\"unterminated")))
        .hasMessageContaining("not a JSON array");
  }
}

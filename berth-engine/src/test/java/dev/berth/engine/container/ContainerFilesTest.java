package dev.berth.engine.container;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.engine.BerthException;
import org.junit.jupiter.api.Test;

/** Archive paths are cleaned as Docker's filepath.Join("/", path) does, keeping what the copy rules read. */
class ContainerFilesTest {
  @Test
  void pathsAreAbsoluteAndLexicallyClean() {
    assertThat(ContainerFiles.clean("etc/passwd")).isEqualTo("/etc/passwd");
    assertThat(ContainerFiles.clean("/a/../../etc//passwd")).isEqualTo("/etc/passwd");
    assertThat(ContainerFiles.clean("/etc/")).isEqualTo("/etc/");
    assertThat(ContainerFiles.clean("/etc/.")).isEqualTo("/etc/.");
    assertThat(ContainerFiles.clean("/")).isEqualTo("/");
    assertThatThrownBy(() -> ContainerFiles.clean("")).isInstanceOf(BerthException.InvalidArgument.class);
  }
}

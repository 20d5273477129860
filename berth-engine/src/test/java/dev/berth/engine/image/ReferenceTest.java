package dev.berth.engine.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.engine.BerthException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ReferenceTest {
  private static final String HEX = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          busybox                          | docker.io/library/busybox:latest           | busybox:latest         | registry-1.docker.io | library/busybox
          busybox:1.36                     | docker.io/library/busybox:1.36             | busybox:1.36           | registry-1.docker.io | library/busybox
          library/busybox                  | docker.io/library/busybox:latest           | busybox:latest         | registry-1.docker.io | library/busybox
          docker.io/busybox                | docker.io/library/busybox:latest           | busybox:latest         | registry-1.docker.io | library/busybox
          index.docker.io/library/busybox  | docker.io/library/busybox:latest           | busybox:latest         | registry-1.docker.io | library/busybox
          user/app:v1                      | docker.io/user/app:v1                      | user/app:v1            | registry-1.docker.io | user/app
          docker.io/library/a/b            | docker.io/library/a/b:latest               | library/a/b:latest     | registry-1.docker.io | library/a/b
          localhost/app                    | localhost/app:latest                       | localhost/app:latest   | localhost            | app
          localhost:5000/a/b:tag           | localhost:5000/a/b:tag                     | localhost:5000/a/b:tag | localhost:5000       | a/b
          127.0.0.1:5000/app               | 127.0.0.1:5000/app:latest                  | 127.0.0.1:5000/app:latest | 127.0.0.1:5000    | app
          quay.io/org/sub/app:1.0-rc_2     | quay.io/org/sub/app:1.0-rc_2               | quay.io/org/sub/app:1.0-rc_2 | quay.io        | org/sub/app
          Example/app                      | Example/app:latest                         | Example/app:latest     | Example              | app
          [::1]:5000/app                   | [::1]:5000/app:latest                      | [::1]:5000/app:latest  | [::1]:5000           | app
          a_b/c__d/e---f.g:_T              | docker.io/a_b/c__d/e---f.g:_T              | a_b/c__d/e---f.g:_T    | registry-1.docker.io | a_b/c__d/e---f.g
          """)
  void normalizes(String text, String canonical, String familiar, String registry, String repo) {
    Reference ref = Reference.parse(text);
    assertThat(ref.toString()).isEqualTo(canonical);
    assertThat(ref.familiar()).isEqualTo(familiar);
    assertThat(ref.registry()).isEqualTo(registry);
    assertThat(ref.repository()).isEqualTo(repo);
    assertThat(Reference.parse(canonical)).isEqualTo(ref);
  }

  @Test
  void digestOnlyHasNoTag() {
    Reference ref = Reference.parse("busybox@sha256:" + HEX);
    assertThat(ref.tag()).isNull();
    assertThat(ref.digest().hex()).isEqualTo(HEX);
    assertThat(ref.toString()).isEqualTo("docker.io/library/busybox@sha256:" + HEX);
    assertThat(ref.familiar()).isEqualTo("busybox@sha256:" + HEX);
    assertThat(ref.manifestRef()).isEqualTo("sha256:" + HEX);
  }

  @Test
  void tagAndDigestKeepsBothAndFetchesByDigest() {
    Reference ref = Reference.parse("localhost:5000/app:v1@sha256:" + HEX);
    assertThat(ref.tag()).isEqualTo("v1");
    assertThat(ref.toString()).isEqualTo("localhost:5000/app:v1@sha256:" + HEX);
    assertThat(ref.manifestRef()).isEqualTo("sha256:" + HEX);
    assertThat(ref.name()).isEqualTo("localhost:5000/app");
    assertThat(ref.domain()).isEqualTo("localhost:5000");
  }

  @Test
  void longestValidTagIsAccepted() {
    String tag = "t" + "x".repeat(127);
    assertThat(Reference.parse("app:" + tag).tag()).isEqualTo(tag);
  }

  @Test
  void withTagAndWithDigest() {
    Reference ref = Reference.parse("busybox");
    assertThat(ref.withTag("1.0").familiar()).isEqualTo("busybox:1.0");
    assertThat(ref.withDigest(dev.berth.engine.content.Digest.parse("sha256:" + HEX)).toString())
        .isEqualTo("docker.io/library/busybox:latest@sha256:" + HEX);
  }

  @ParameterizedTest(name = "[{index}] '{0}'")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          ''                        | it is empty
          aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa | image ID
          Busybox                   | must be lowercase
          docker.io/Library/busybox | must be lowercase
          localhost:5000/App        | must be lowercase
          busybox:                  | tag ''
          busybox:-x                | tag '-x'
          busybox:a/b               | registry 'busybox:a'
          busybox@sha256:abc        | digest 'sha256:abc'
          busybox@md5:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa | digest
          a//b                      | path component ''
          -app                      | path component '-app'
          app-                      | path component 'app-'
          a..b                      | path component 'a..b'
          :tag                      | repository name is empty
          host.io/                  | path component ''
          bad_host.io/app           | registry 'bad_host.io'
          """)
  void rejectsInvalid(String text, String reason) {
    assertThatThrownBy(() -> Reference.parse(text))
        .isInstanceOf(BerthException.InvalidArgument.class)
        .hasMessageStartingWith("invalid image reference '" + text + "'")
        .hasMessageContaining(reason);
  }

  @Test
  void rejectsTooLongTagAndName() {
    assertThatThrownBy(() -> Reference.parse("app:" + "x".repeat(129)))
        .isInstanceOf(BerthException.InvalidArgument.class)
        .hasMessageContaining("tag");
    assertThatThrownBy(() -> Reference.parse("a/" + "b".repeat(250)))
        .isInstanceOf(BerthException.InvalidArgument.class)
        .hasMessageContaining("longer than 255");
  }
}

package dev.berth.cli.build;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** What a user sees of the classic builder's messages. */
class BuildOutputTest {
  // Captured from dockerd 20.10 (a two-stage build, then a failing RUN).
  static final String OK = """
      {"stream":"Step 1/3 : FROM bb AS one"}
      {"stream":"\\n"}
      {"stream":" ---\\u003e e8ba9f22d64f\\n"}
      {"stream":"Step 2/3 : RUN echo hello \\u003e /x"}
      {"stream":"\\n"}
      {"stream":" ---\\u003e Using cache\\n"}
      {"stream":" ---\\u003e cef8c0dfbe3e\\n"}
      {"aux":{"ID":"sha256:cef8c0dfbe3e"}}
      {"stream":"Step 3/3 : RUN cat /x"}
      {"stream":"\\n"}
      {"stream":" ---\\u003e Running in 55bdf1560f5a\\n"}
      {"stream":"hello\\n"}
      {"stream":"Removing intermediate container 55bdf1560f5a\\n"}
      {"stream":" ---\\u003e b6f228b9c420\\n"}
      {"aux":{"ID":"sha256:b6f228b9c420aaaa"}}
      {"stream":"Successfully built b6f228b9c420\\n"}
      {"stream":"Successfully tagged out:1\\n"}
      """;
  static final String FAILED = """
      {"stream":"Step 1/2 : FROM bb"}
      {"stream":"\\n"}
      {"stream":"Step 2/2 : RUN echo out; echo err \\u003e\\u00262; exit 3"}
      {"stream":"\\n"}
      {"stream":" ---\\u003e Running in 88fb278b2b7b\\n"}
      {"stream":"\\u001b[91merr\\n\\u001b[0m"}
      {"stream":"out\\n"}
      {"errorDetail":{"code":3,"message":"The command '/bin/sh -c echo out; echo err \\u003e\\u00262; exit 3' returned a non-zero code: 3"},"error":"The command '/bin/sh -c echo out; echo err \\u003e\\u00262; exit 3' returned a non-zero code: 3"}
      """;

  private static String[] render(String stream, boolean compact, boolean quiet, BuildOutput.Outcome[] outcome)
      throws Exception {
    StringWriter text = new StringWriter();
    BuildOutput view = new BuildOutput(new PrintWriter(text), compact, quiet);
    outcome[0] = view.render(new ByteArrayInputStream(stream.getBytes(StandardCharsets.UTF_8)));
    return new String[] {text.toString()};
  }

  @Test
  void plainIsDockersTextAndTheLastAuxIsTheImage() throws Exception {
    BuildOutput.Outcome[] o = new BuildOutput.Outcome[1];
    String text = render(OK, false, false, o)[0];
    assertThat(text).startsWith("Step 1/3 : FROM bb AS one\n ---> e8ba9f22d64f\nStep 2/3 : RUN echo hello > /x\n")
        .contains(" ---> Running in 55bdf1560f5a\nhello\nRemoving intermediate container 55bdf1560f5a\n")
        .endsWith("Successfully built b6f228b9c420\nSuccessfully tagged out:1\n");
    assertThat(o[0].failed()).isFalse();
    assertThat(o[0].imageId()).isEqualTo("sha256:b6f228b9c420aaaa");
  }

  @Test
  void aFailureCarriesTheRunsExitCodeAndMessage() throws Exception {
    BuildOutput.Outcome[] o = new BuildOutput.Outcome[1];
    String text = render(FAILED, false, false, o)[0];
    assertThat(text).endsWith("out\n");
    assertThat(o[0].code()).isEqualTo(3);
    assertThat(o[0].error()).isEqualTo("The command '/bin/sh -c echo out; echo err >&2; exit 3' returned a non-zero code: 3");
  }

  @Test
  void compactShowsOneLinePerStepWithCacheHitsAndTheFailedStepsOutput() throws Exception {
    BuildOutput.Outcome[] o = new BuildOutput.Outcome[1];
    String text = render(OK, true, false, o)[0].replaceAll("\u001b\\[[0-9;]*[A-Za-z]", "").replace("\r", "");
    assertThat(text).containsPattern(" => \\[1/3\\] FROM bb AS one  \\d+\\.\\ds")
        .contains(" => [2/3] RUN echo hello > /x  CACHED")
        .containsPattern(" => \\[3/3\\] RUN cat /x  \\d+\\.\\ds")
        .contains("Successfully tagged out:1")
        .doesNotContain("Removing intermediate container");
    String failed = render(FAILED, true, false, o)[0].replaceAll("\u001b\\[[0-9;]*[A-Za-z]", "");
    assertThat(failed).contains(" => [2/2] RUN echo out; echo err >&2; exit 3  ERROR after")
        .contains(" > err\n").contains(" > out\n");
  }

  @Test
  void quietKeepsTheTextForTheEnd() throws Exception {
    BuildOutput.Outcome[] o = new BuildOutput.Outcome[1];
    String text = render("{\"stream\":\"sha256:abc\\n\"}\n", false, true, o)[0];
    assertThat(text).isEmpty();
    assertThat(o[0].quietText()).isEqualTo("sha256:abc\n");
    assertThat(o[0].imageId()).isEqualTo("sha256:abc");
  }
}

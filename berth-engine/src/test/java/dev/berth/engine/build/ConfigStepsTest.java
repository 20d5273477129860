package dev.berth.engine.build;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.engine.BerthException;
import dev.berth.engine.build.dockerfile.Dockerfile;
import dev.berth.engine.build.dockerfile.Expander;
import dev.berth.engine.build.dockerfile.Instruction;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigStepsTest {
  private static ConfigSteps.Config apply(ConfigSteps.Config c, String line, Map<String, String> vars, boolean cmdSet) {
    Instruction i = Dockerfile.parseInstruction(line);
    ConfigSteps.apply(c, i, Expander.DEFAULT, vars, cmdSet);
    return c;
  }

  @Test
  void shellFormsRunThroughTheStagesShell() {
    ConfigSteps.Config c = new ConfigSteps.Config();
    apply(c, "CMD echo hi", Map.of(), false);
    assertThat(c.cmd).containsExactly("/bin/sh", "-c", "echo hi");

    apply(c, "SHELL [\"/bin/bash\", \"-eu\", \"-c\"]", Map.of(), false);
    apply(c, "CMD echo again", Map.of(), false);
    assertThat(c.cmd).containsExactly("/bin/bash", "-eu", "-c", "echo again");
  }

  @Test
  void anEntrypointDropsAnInheritedCmdButNotOneSetInTheStage() {
    ConfigSteps.Config inherited = new ConfigSteps.Config();
    inherited.cmd = List.of("sh");
    apply(inherited, "ENTRYPOINT [\"/bin/app\"]", Map.of(), false);
    assertThat(inherited.cmd).isNull();

    ConfigSteps.Config own = new ConfigSteps.Config();
    own.cmd = List.of("--help");
    apply(own, "ENTRYPOINT [\"/bin/app\"]", Map.of(), true);
    assertThat(own.cmd).containsExactly("--help");
  }

  @Test
  void envReplacesInPlaceAndLaterPairsSeeEarlierOnes() {
    ConfigSteps.Config c = new ConfigSteps.Config();
    c.env = List.of("PATH=/bin", "A=old");
    apply(c, "ENV A=new B=${A}-x", Map.of("A", "old"), false);

    assertThat(c.env).containsExactly("PATH=/bin", "A=new", "B=new-x");
  }

  @Test
  void exposeNormalizesPortsAndRanges() {
    ConfigSteps.Config c = new ConfigSteps.Config();
    apply(c, "EXPOSE 80 53/UDP 9000-9001 $EXTRA", Map.of("EXTRA", "7000"), false);

    assertThat(c.exposedPorts).containsOnlyKeys("80/tcp", "53/udp", "9000/tcp", "9001/tcp", "7000/tcp");
    assertThatThrownBy(() -> apply(new ConfigSteps.Config(), "EXPOSE 80/xyz", Map.of(), false))
        .isInstanceOf(BerthException.InvalidArgument.class).hasMessage("invalid proto: xyz");
  }

  @Test
  void workdirJoinsRelativePathsAndCleans() {
    assertThat(ConfigSteps.workdir(null, "app")).isEqualTo("/app");
    assertThat(ConfigSteps.workdir("/srv", "app/../web/./x")).isEqualTo("/srv/web/x");
    assertThat(ConfigSteps.workdir("/srv", "/abs")).isEqualTo("/abs");
  }

  @Test
  void copyDestinationsAreUnderTheWorkdirAndKeepTheirTrailingSlash() {
    assertThat(BuildRun.absoluteDest(".", "/app")).isEqualTo("/app/");
    assertThat(BuildRun.absoluteDest("x/", "/app")).isEqualTo("/app/x/");
    assertThat(BuildRun.absoluteDest("x", "")).isEqualTo("/x");
    assertThat(BuildRun.absoluteDest("/a/../b", "/app")).isEqualTo("/b");
  }

  @Test
  void healthcheckKeepsZeroDurationsOut() {
    ConfigSteps.Config c = new ConfigSteps.Config();
    apply(c, "HEALTHCHECK --interval=5s CMD true", Map.of(), false);

    assertThat(c.healthcheck.test()).containsExactly("CMD-SHELL", "true");
    assertThat(c.healthcheck.interval()).isEqualTo(5_000_000_000L);
    assertThat(c.healthcheck.timeout()).isNull();
  }
}

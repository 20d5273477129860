package dev.berth.engine.microvm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.engine.BerthException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

class GuestAgentTest {
  @Test
  void aRequestIsOneLineCarryingTheRunScript() {
    GuestCommand cmd = new GuestCommand(List.of("A=1"), List.of("sh", "-c", "echo 'x'\nexit 3"), "/w", 0, 0);
    String line = GuestAgent.request(cmd);

    assertThat(line).endsWith("\n").doesNotContain(" ");
    assertThat(line.indexOf('\n')).isEqualTo(line.length() - 1); // newlines of the command are inside the base64
    assertThat(new String(Base64.getDecoder().decode(line.strip()), StandardCharsets.UTF_8)).isEqualTo(cmd.script());
  }

  @Test
  void theAnswerGivesCodeAndBothOutputsEvenEmptyOnes() {
    Base64.Encoder b = Base64.getEncoder();
    GuestAgent.Result r = GuestAgent.parse("3 " + b.encodeToString("out\n".getBytes()) + " \n");

    assertThat(r.exitCode()).isEqualTo(3);
    assertThat(new String(r.stdout())).isEqualTo("out\n");
    assertThat(r.stderr()).isEmpty();
    assertThatThrownBy(() -> GuestAgent.parse("garbage")).isInstanceOf(BerthException.class)
        .hasMessageContaining("agent");
  }

  @Test
  void anInteractiveRequestNamesSlotTerminalAndSizeBeforeTheScript() {
    GuestCommand cmd = new GuestCommand(List.of(), List.of("sh"), "/", 0, 0);
    String line = GuestAgent.slotRequest(1, true, 40, 120, cmd);

    assertThat(line).isEqualTo("x 1 1 40 120 " + GuestAgent.request(cmd));
    assertThat(GuestAgent.slotRequest(0, false, -1, 0, cmd)).startsWith("x 0 0 0 0 ");
  }
}

package dev.berth.engine.microvm;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ControlGateTest {
  @Test
  void linesBeforeTheGuestReadsAreHeldThenSentInOrderAndLaterOnesAtOnce() {
    List<String> sent = new ArrayList<>();
    ControlGate gate = new ControlGate(sent::add);
    gate.send("15");
    gate.send("resize main 30 100");
    assertThat(sent).isEmpty();
    assertThat(gate.held()).containsExactly("15", "resize main 30 100");

    gate.open();
    assertThat(sent).containsExactly("15", "resize main 30 100");
    gate.send("agent");
    assertThat(sent).containsExactly("15", "resize main 30 100", "agent");
    assertThat(gate.held()).isEmpty();
  }

  @Test
  void aHeldLineThatCannotBeSentDoesNotStopTheOthers() {
    List<String> sent = new ArrayList<>();
    ControlGate gate = new ControlGate(line -> {
      if (line.equals("bad")) {
        throw new IllegalStateException("console closed");
      }
      sent.add(line);
    });
    gate.send("bad");
    gate.send("15");
    gate.open();
    gate.open(); // a second report changes nothing
    assertThat(sent).containsExactly("15");
  }
}

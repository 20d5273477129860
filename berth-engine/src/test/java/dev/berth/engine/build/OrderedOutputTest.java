package dev.berth.engine.build;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class OrderedOutputTest {
  @Test
  void laterStagesAreHeldUntilTheEarlierOnesFinish() {
    List<String> seen = new ArrayList<>();
    OrderedOutput out = new OrderedOutput(e -> seen.add(((BuildEvent.Stream) e).text()), 3);

    out.emit(2, new BuildEvent.Stream("c1"));
    out.emit(0, new BuildEvent.Stream("a1"));
    out.emit(1, new BuildEvent.Stream("b1"));
    out.finish(2);
    assertThat(seen).containsExactly("a1");

    out.emit(0, new BuildEvent.Stream("a2"));
    out.finish(0);
    assertThat(seen).containsExactly("a1", "a2", "b1");

    out.emit(1, new BuildEvent.Stream("b2"));
    out.finish(1);
    assertThat(seen).containsExactly("a1", "a2", "b1", "b2", "c1");
  }

  @Test
  void aFailureFlushesWhatWasHeldInOrder() {
    List<String> seen = new ArrayList<>();
    OrderedOutput out = new OrderedOutput(e -> seen.add(((BuildEvent.Stream) e).text()), 2);
    out.emit(1, new BuildEvent.Stream("b"));
    out.emit(0, new BuildEvent.Stream("a"));

    out.flushAll();

    assertThat(seen).containsExactly("a", "b");
  }
}

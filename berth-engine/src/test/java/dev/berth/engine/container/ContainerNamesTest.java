package dev.berth.engine.container;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.engine.BerthException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ContainerNamesTest {
  @Test
  void acceptsDockersNamesWithOrWithoutTheSlash() {
    assertThat(ContainerNames.validate("web-1.a_b")).isEqualTo("web-1.a_b");
    assertThat(ContainerNames.validate("/db")).isEqualTo("db");
  }

  @Test
  void rejectsShortAndOddNamesNamingTheRule() {
    for (String bad : new String[] {"x", "-lead", "a b", "a/b", "é1", ""}) {
      assertThatThrownBy(() -> ContainerNames.validate(bad)).as(bad)
          .isInstanceOf(BerthException.InvalidArgument.class).hasMessageContaining("Invalid container name");
    }
  }

  @Test
  void generatedNamesAreValid() {
    for (int i = 0; i < 100; i++) {
      assertThat(ContainerNames.VALID.matcher(ContainerNames.generate()).matches()).isTrue();
    }
  }

  @Test
  void aGeneratedNameInUseIsDrawnAgain() {
    List<String> asked = new ArrayList<>();
    // the first five names drawn are "in use": the sixth is the answer
    String name = ContainerNames.generateUnused(candidate -> {
      asked.add(candidate);
      return asked.size() <= 5;
    });
    assertThat(asked).hasSize(6).last().isEqualTo(name);
    assertThat(ContainerNames.VALID.matcher(name).matches()).isTrue();
  }

  @Test
  void signalsByNameNumberOrWithoutSig() {
    assertThat(Signals.parse("SIGTERM")).isEqualTo(15);
    assertThat(Signals.parse("kill")).isEqualTo(9);
    assertThat(Signals.parse("10")).isEqualTo(10);
    assertThatThrownBy(() -> Signals.parse("SIGNOPE")).isInstanceOf(BerthException.InvalidArgument.class);
    assertThatThrownBy(() -> Signals.parse("0")).isInstanceOf(BerthException.InvalidArgument.class);
  }
}

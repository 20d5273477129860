package dev.berth.engine.sys;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ProcLimitsTest {
  @Test
  void parsesProcSelfLimits() {
    ProcLimits limits =
        ProcLimits.parse(
            List.of(
                "Limit                     Soft Limit           Hard Limit           Units     ",
                "Max cpu time              unlimited            unlimited            seconds   ",
                "Max open files            1024                 20000                files     ",
                "Max realtime timeout      unlimited            unlimited            us        "));

    assertThat(limits.nofileHard()).hasValue(20000);
    assertThat(limits.byName().get("Max open files").soft()).isEqualTo(1024);
    assertThat(limits.byName().get("Max cpu time").hard()).isEqualTo(ProcLimits.Limit.UNLIMITED);
    assertThat(limits.byName()).hasSize(3);
  }

  @Test
  void readsThisProcess() {
    assertThat(ProcLimits.ofSelf().nofileHard()).isPresent();
  }
}

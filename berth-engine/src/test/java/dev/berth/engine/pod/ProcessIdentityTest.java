package dev.berth.engine.pod;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ProcessIdentityTest {
  @Test
  void readsRealIdsAndGroupsOfProcStatus() {
    assertThat(ProcessIdentity.parse(List.of("Name:\tsh", "Uid:\t1000\t1000\t1000\t1000",
        "Gid:\t1000\t1000\t1000\t1000", "FDSize:\t64", "Groups:\t1000 1234 50000 ")))
        .contains(new ProcessIdentity(1000, 1000, List.of(1000L, 1234L, 50000L)));
    assertThat(ProcessIdentity.parse(List.of("Uid:\t0\t0\t0\t0", "Gid:\t0\t0\t0\t0", "Groups:\t")))
        .contains(new ProcessIdentity(0, 0, List.of()));
    assertThat(ProcessIdentity.parse(List.of("Name:\tsh"))).isEqualTo(Optional.empty());
  }

  @Test
  void thisProcessHasAnIdentity() {
    assertThat(ProcessIdentity.of((int) ProcessHandle.current().pid())).isPresent();
    assertThat(ProcessIdentity.of(Integer.MAX_VALUE)).isEmpty();
  }
}

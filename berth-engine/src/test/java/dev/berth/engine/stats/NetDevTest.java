package dev.berth.engine.stats;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NetDevTest {
  @Test
  void readsEachInterfaceButLoopback() {
    Map<String, NetDev.Counters> n = NetDev.parse(List.of(
        "Inter-|   Receive                                                |  Transmit",
        " face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed",
        "    lo:     560       8    0    0    0     0          0         0      560       8    0    0    0     0       0          0",
        "  eth0:    1296      16    1    2    0     0          0         0      726       9    3    4    0     0       0          0"));

    assertThat(n).containsOnlyKeys("eth0");
    assertThat(n.get("eth0")).isEqualTo(new NetDev.Counters(1296, 16, 1, 2, 726, 9, 3, 4));
  }

  @Test
  void aProcessThatIsGoneHasNoInterfaces() {
    assertThat(NetDev.ofProcess(Integer.MAX_VALUE)).isEmpty();
  }

  @Test
  void thisProcessSeesItsOwnInterfaces() {
    assertThat(NetDev.ofProcess((int) ProcessHandle.current().pid())).doesNotContainKey("lo");
  }
}

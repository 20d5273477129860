package dev.berth.engine.filesystem;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The docker CLI reads Go's os.FileMode bits from the path stat header. */
class PathStatTest {
  @Test
  void unixModesBecomeGoFileModes() {
    assertThat(PathStat.goMode(0100644)).isEqualTo(0644);
    assertThat(PathStat.goMode(040755)).isEqualTo((1L << 31) | 0755);
    assertThat(PathStat.goMode(0120777)).isEqualTo((1L << 27) | 0777);
    assertThat(PathStat.goMode(0104755)).isEqualTo((1L << 23) | 0755);
    assertThat(PathStat.goMode(041777)).isEqualTo((1L << 31) | (1L << 20) | 0777);
    assertThat(PathStat.goMode(020666)).isEqualTo((1L << 26) | (1L << 21) | 0666);
  }
}

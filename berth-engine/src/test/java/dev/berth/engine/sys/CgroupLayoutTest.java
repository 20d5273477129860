package dev.berth.engine.sys;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CgroupLayoutTest {
  @TempDir
  Path root;

  @Test
  void unifiedHierarchyIsV2() throws Exception {
    Files.writeString(root.resolve("cgroup.controllers"), "cpu memory pids\n");
    assertThat(CgroupLayout.detect(root)).isEqualTo(CgroupLayout.V2);
    assertThat(CgroupLayout.V2.dockerVersion()).isEqualTo("2");
  }

  @Test
  void cgroup2UnderUnifiedIsHybrid() throws Exception {
    Files.createDirectories(root.resolve("unified"));
    Files.writeString(root.resolve("unified/cgroup.controllers"), "hugetlb\n");
    Files.createDirectories(root.resolve("memory"));
    assertThat(CgroupLayout.detect(root)).isEqualTo(CgroupLayout.HYBRID);
    assertThat(CgroupLayout.HYBRID.dockerVersion()).isEqualTo("1");
  }

  @Test
  void controllersOnlyIsV1() throws Exception {
    Files.createDirectories(root.resolve("memory"));
    assertThat(CgroupLayout.detect(root)).isEqualTo(CgroupLayout.V1);
  }
}

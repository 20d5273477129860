package dev.berth.engine.stats;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The readers on fake cgroup trees shaped like the kernel's. */
class CgroupReaderTest {
  @TempDir Path root;

  private void write(String rel, String content) throws IOException {
    Path p = root.resolve(rel);
    Files.createDirectories(p.getParent());
    Files.writeString(p, content);
  }

  @Test
  void v1ReadsEachControllerAtTheSamePath() throws IOException {
    String c = "berth/abc";
    write("cpuacct/" + c + "/cpuacct.usage", "123456789\n");
    write("cpuacct/" + c + "/cpuacct.stat", "user 7\nsystem 3\n");
    write("cpuacct/" + c + "/cpuacct.usage_percpu", "100000000 23456789 \n");
    write("cpu/" + c + "/cpu.stat", "nr_periods 10\nnr_throttled 2\nthrottled_time 5000\n");
    write("memory/" + c + "/memory.usage_in_bytes", "1048576\n");
    write("memory/" + c + "/memory.max_usage_in_bytes", "2097152\n");
    write("memory/" + c + "/memory.limit_in_bytes", "67108864\n");
    write("memory/" + c + "/memory.stat", "cache 4096\nrss 8192\ntotal_inactive_file 4096\n");
    write("pids/" + c + "/pids.current", "1\n");
    write("pids/" + c + "/pids.max", "max\n");
    write("blkio/" + c + "/blkio.throttle.io_service_bytes_recursive",
        "8:0 Read 4096\n8:0 Write 512\n8:0 Sync 0\nTotal 4608\n");
    write("unified/cgroup.procs", ""); // hybrid: the cgroup2 mount has no cgroup.controllers at the root

    CgroupReader reader = CgroupReader.forPath(root, "/berth/abc");

    assertThat(reader).isInstanceOf(CgroupV1Reader.class);
    assertThat(reader.exists()).isTrue();
    CgroupStats s = reader.read();
    assertThat(s.cpu().totalUsage()).isEqualTo(123456789L);
    assertThat(s.cpu().userUsage()).isEqualTo(70_000_000L); // 7 ticks of 10 ms
    assertThat(s.cpu().kernelUsage()).isEqualTo(30_000_000L);
    assertThat(s.cpu().percpu()).containsExactly(100000000L, 23456789L);
    assertThat(s.cpu().throttling()).isEqualTo(new CgroupStats.Throttling(10, 2, 5000));
    assertThat(s.memory().usage()).isEqualTo(1048576L);
    assertThat(s.memory().maxUsage()).isEqualTo(2097152L);
    assertThat(s.memory().limit()).isEqualTo(64L * 1024 * 1024);
    assertThat(s.memory().stats()).containsEntry("rss", 8192L).containsEntry("total_inactive_file", 4096L);
    assertThat(s.pids()).isEqualTo(new CgroupStats.Pids(1, 0));
    assertThat(s.blkio()).containsExactly(new CgroupStats.BlkioEntry(8, 0, "Read", 4096),
        new CgroupStats.BlkioEntry(8, 0, "Write", 512), new CgroupStats.BlkioEntry(8, 0, "Sync", 0));
  }

  @Test
  void v1UnlimitedMemoryIsZeroAndCoMountedCpuIsFound() throws IOException {
    write("cpu,cpuacct/berth/x/cpuacct.usage", "42\n");
    write("memory/berth/x/memory.limit_in_bytes", "9223372036854771712\n");

    CgroupStats s = CgroupReader.forPath(root, "/berth/x").read();

    assertThat(s.cpu().totalUsage()).isEqualTo(42L);
    assertThat(s.memory().limit()).isZero();
    assertThat(s.pids().current()).isZero(); // no pids controller: zeros, no failure
  }

  @Test
  void v2ReadsOneDirectoryInMicroseconds() throws IOException {
    write("cgroup.controllers", "cpu memory pids io\n");
    String c = "berth/abc/";
    write(c + "cpu.stat", "usage_usec 1500\nuser_usec 1000\nsystem_usec 500\nnr_periods 4\nnr_throttled 1\n"
        + "throttled_usec 20\n");
    write(c + "memory.current", "3145728\n");
    write(c + "memory.max", "67108864\n");
    write(c + "memory.stat", "anon 1024\nfile 2048\ninactive_file 512\n");
    write(c + "pids.current", "2\n");
    write(c + "pids.max", "100\n");
    write(c + "io.stat", "8:0 rbytes=4096 wbytes=1024 rios=1 wios=1 dbytes=0 dios=0\n");

    CgroupReader reader = CgroupReader.forPath(root, "/berth/abc");

    assertThat(reader).isInstanceOf(CgroupV2Reader.class);
    CgroupStats s = reader.read();
    assertThat(s.cpu().totalUsage()).isEqualTo(1_500_000L);
    assertThat(s.cpu().userUsage()).isEqualTo(1_000_000L);
    assertThat(s.cpu().kernelUsage()).isEqualTo(500_000L);
    assertThat(s.cpu().percpu()).isEmpty();
    assertThat(s.cpu().throttling()).isEqualTo(new CgroupStats.Throttling(4, 1, 20_000));
    assertThat(s.memory().usage()).isEqualTo(3145728L);
    assertThat(s.memory().limit()).isEqualTo(67108864L);
    assertThat(s.memory().stats()).containsEntry("inactive_file", 512L);
    assertThat(s.pids()).isEqualTo(new CgroupStats.Pids(2, 100));
    assertThat(s.blkio()).containsExactly(new CgroupStats.BlkioEntry(8, 0, "read", 4096),
        new CgroupStats.BlkioEntry(8, 0, "write", 1024));
  }

  @Test
  void v2MaxMeansNoLimitAndAMissingCgroupDoesNotExist() throws IOException {
    write("cgroup.controllers", "memory\n");
    write("berth/y/memory.max", "max\n");

    assertThat(CgroupReader.forPath(root, "/berth/y").read().memory().limit()).isZero();
    assertThat(CgroupReader.forPath(root, "/berth/gone").exists()).isFalse();
  }

  @Test
  void hostCpuSumsTheFirstSevenFieldsInNanoseconds() {
    HostCpu h = HostCpu.parse("cpu  100 1 50 800 10 2 3 99 0 0\ncpu0 50 0 25 400 5 1 1 50 0 0\n"
        + "cpu1 50 1 25 400 5 1 2 49 0 0\nintr 1 2 3\n");

    assertThat(h.systemUsage()).isEqualTo((100 + 1 + 50 + 800 + 10 + 2 + 3) * 10_000_000L);
    assertThat(h.onlineCpus()).isEqualTo(2);
  }
}

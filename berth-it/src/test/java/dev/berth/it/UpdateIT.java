package dev.berth.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@code berth update}: limits reach the running container's cgroup (read back from the cgroup
 * files; v1 controllers here), show in inspect, survive a restart; a stopped container only gets
 * the new config; what the host cannot do is refused in dockerd's words.
 */
@Tag("integration")
class UpdateIT extends BusyboxDaemonTest {

  private static String cgroup(String controller, String id, String file) throws IOException {
    Path v1 = Path.of("/sys/fs/cgroup", controller, "berth", id, file);
    return Files.readString(v1).strip();
  }

  private static String inspect(String name, String template) {
    return ok(berth("inspect", "-f", template, name)).stdout().strip();
  }

  @Test
  void limitsApplyLiveShowInInspectAndSurviveARestart() throws IOException {
    ok(berth("run", "-d", "--name", "upd", "--network", "none", image, "sleep", "600"));
    String id = inspect("upd", "{{.Id}}");
    ok(berth("update", "-m", "64m", "--memory-swap", "128m", "--memory-reservation", "32m", "--cpus", "0.5",
        "--cpu-shares", "512", "--cpuset-cpus", "0", "--pids-limit", "40", "--restart", "on-failure:3", "upd"));

    assertThat(cgroup("memory", id, "memory.limit_in_bytes")).isEqualTo(String.valueOf(64L << 20));
    assertThat(cgroup("memory", id, "memory.memsw.limit_in_bytes")).isEqualTo(String.valueOf(128L << 20));
    assertThat(cgroup("memory", id, "memory.soft_limit_in_bytes")).isEqualTo(String.valueOf(32L << 20));
    assertThat(cgroup("cpu", id, "cpu.cfs_quota_us")).isEqualTo("50000");
    assertThat(cgroup("cpu", id, "cpu.cfs_period_us")).isEqualTo("100000");
    assertThat(cgroup("cpu", id, "cpu.shares")).isEqualTo("512");
    assertThat(cgroup("cpuset", id, "cpuset.cpus")).isEqualTo("0");
    assertThat(cgroup("pids", id, "pids.max")).isEqualTo("40");
    assertThat(inspect("upd", "{{.HostConfig.Memory}} {{.HostConfig.MemorySwap}} {{.HostConfig.MemoryReservation}}"
        + " {{.HostConfig.NanoCpus}} {{.HostConfig.CpuShares}} {{.HostConfig.CpusetCpus}} {{.HostConfig.PidsLimit}}"
        + " {{.HostConfig.RestartPolicy.Name}}:{{.HostConfig.RestartPolicy.MaximumRetryCount}}"))
        .isEqualTo((64L << 20) + " " + (128L << 20) + " " + (32L << 20) + " 500000000 512 0 40 on-failure:3");

    ok(berth("restart", "-t", "0", "upd"));
    assertThat(cgroup("memory", id, "memory.limit_in_bytes")).isEqualTo(String.valueOf(64L << 20));
    assertThat(cgroup("cpu", id, "cpu.cfs_quota_us")).isEqualTo("50000");
    assertThat(cgroup("pids", id, "pids.max")).isEqualTo("40");
    assertThat(cgroup("memory", id, "memory.soft_limit_in_bytes")).isEqualTo(String.valueOf(32L << 20));

    ok(berth("stop", "-t", "0", "upd"));
    ok(berth("update", "--pids-limit", "30", "upd"));
    assertThat(inspect("upd", "{{.HostConfig.PidsLimit}}")).isEqualTo("30");
    ok(berth("start", "upd"));
    assertThat(cgroup("pids", id, "pids.max")).isEqualTo("30");
    ok(berth("rm", "-f", "upd"));
  }

  @Test
  void whatTheHostCannotDoIsRefusedInDockerdsWords() {
    ok(berth("run", "-d", "--name", "upd2", "--network", "none", image, "sleep", "600"));
    var small = berth("update", "-m", "4m", "upd2");
    assertThat(small.exitCode()).isNotZero();
    assertThat(small.stderr()).contains("Minimum memory limit allowed is 6MB");
    var noSwap = berth("update", "-m", "100m", "upd2");
    assertThat(noSwap.stderr()).contains("Memory limit should be smaller than already set memoryswap limit, update the"
        + " memoryswap at the same time");
    int cpus = Runtime.getRuntime().availableProcessors();
    var tooMany = berth("update", "--cpus", String.valueOf(cpus + 1), "upd2");
    assertThat(tooMany.stderr()).contains("Range of CPUs is from 0.01 to " + cpus + ".00, as there are only " + cpus
        + " CPUs available");
    var policy = berth("update", "--restart", "sometimes", "upd2");
    assertThat(policy.stderr()).contains("invalid restart policy 'sometimes'");
    var kernel = berth("update", "--kernel-memory", "10m", "upd2");
    assertThat(kernel.exitCode()).isZero();
    assertThat(kernel.stderr()).contains("Specifying a kernel memory limit is deprecated");
    assertThat(inspect("upd2", "{{.HostConfig.Memory}} {{.HostConfig.RestartPolicy.Name}}")).isEqualTo("0 no");
    ok(berth("rm", "-f", "upd2"));
  }
}

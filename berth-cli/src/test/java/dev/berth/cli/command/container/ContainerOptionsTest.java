package dev.berth.cli.command.container;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class ContainerOptionsTest {
  @Test
  void memorySizesUseDockersBinaryUnits() {
    assertThat(ContainerOptions.bytes("--memory", "32m")).isEqualTo(33554432L);
    assertThat(ContainerOptions.bytes("--memory", "1g")).isEqualTo(1L << 30);
    assertThat(ContainerOptions.bytes("--memory", "512K")).isEqualTo(524288L);
    assertThat(ContainerOptions.bytes("--memory", "1.5m")).isEqualTo(1572864L);
    assertThat(ContainerOptions.bytes("--memory", "100")).isEqualTo(100L);
    assertThatThrownBy(() -> ContainerOptions.bytes("--memory", "12zz"))
        .hasMessageContaining("--memory").hasMessageContaining("12zz");
  }

  @Test
  void cpusBecomeNanoCpus() {
    assertThat(ContainerOptions.nanoCpus("1.5")).isEqualTo(1_500_000_000L);
    assertThat(ContainerOptions.nanoCpus("0.01")).isEqualTo(10_000_000L);
    assertThatThrownBy(() -> ContainerOptions.nanoCpus("-1")).hasMessageContaining("--cpus");
    assertThatThrownBy(() -> ContainerOptions.nanoCpus("two")).hasMessageContaining("--cpus");
  }

  @Test
  void runOptionsBecomeDockersCreateBody() throws Exception {
    RunCommand run = new RunCommand();
    CommandLine cli = new CommandLine(run.spec());
    cli.setStopAtPositional(true);
    cli.parseArgs("--rm", "-it", "--name", "web", "-e", "A=b", "-u", "1:2", "-w", "/w", "-l", "k=v", "-h", "box",
        "--memory", "32m", "--cpus", "0.5", "--pids-limit", "10", "--ulimit", "nofile=100:200", "--cap-add", "NET_ADMIN",
        "--network", "none", "--init", "--entrypoint", "sh", "busybox", "-c", "exit 3");
    run.readParsed();
    JsonNode body = run.options.toJson(run.image, run.command);
    assertThat(run.image).isEqualTo("busybox");
    assertThat(body.path("Cmd").toString()).isEqualTo("[\"-c\",\"exit 3\"]");
    assertThat(body.path("Entrypoint").toString()).isEqualTo("[\"sh\"]");
    assertThat(body.path("Env").toString()).isEqualTo("[\"A=b\"]");
    assertThat(body.path("Tty").asBoolean()).isTrue();
    assertThat(body.path("OpenStdin").asBoolean()).isTrue();
    assertThat(body.path("User").asText()).isEqualTo("1:2");
    assertThat(body.path("Hostname").asText()).isEqualTo("box");
    assertThat(body.path("Labels").path("k").asText()).isEqualTo("v");
    JsonNode host = body.path("HostConfig");
    assertThat(host.path("AutoRemove").asBoolean()).isTrue();
    assertThat(host.path("Memory").asLong()).isEqualTo(33554432L);
    assertThat(host.path("NanoCpus").asLong()).isEqualTo(500_000_000L);
    assertThat(host.path("PidsLimit").asLong()).isEqualTo(10);
    assertThat(host.path("Ulimits").toString()).isEqualTo("[{\"Name\":\"nofile\",\"Soft\":100,\"Hard\":200}]");
    assertThat(host.path("CapAdd").toString()).isEqualTo("[\"NET_ADMIN\"]");
    assertThat(host.path("Init").asBoolean()).isTrue();
    assertThat(host.path("NetworkMode").asText()).isEqualTo("none");
    assertThat(run.options.name).isEqualTo("web");
  }

  @Test
  void repeatedAndMixedInOptionsAllArrive() throws Exception {
    RunCommand run = new RunCommand();
    CommandLine cli = new CommandLine(run.spec());
    cli.setStopAtPositional(true);
    cli.parseArgs("-d", "-e", "A=1", "--env", "B=2", "-p", "8080:80", "-p", "53/udp", "--network-alias", "web",
        "-v", "/data:/data:ro", "--tmpfs", "/t", "--stop-timeout", "7", "-c", "512", "busybox");
    run.readParsed();
    assertThat(run.detach).isTrue();
    assertThat(run.command).isEmpty();
    JsonNode body = run.options.toJson(run.image, run.command);
    assertThat(body.path("Env").toString()).isEqualTo("[\"A=1\",\"B=2\"]");
    assertThat(body.path("StopTimeout").asInt()).isEqualTo(7);
    assertThat(body.path("HostConfig").path("CpuShares").asLong()).isEqualTo(512);
    assertThat(body.path("HostConfig").path("PortBindings").path("80/tcp").get(0).path("HostPort").asText().equals("8080")).isTrue();
    assertThat(body.path("HostConfig").path("PortBindings").has("53/udp")).isTrue();
    assertThat(body.path("HostConfig").path("Binds").toString()).isEqualTo("[\"/data:/data:ro\"]");
    assertThat(body.path("HostConfig").path("Tmpfs").has("/t")).isTrue();
    assertThat(body.path("NetworkingConfig").path("EndpointsConfig").path("bridge").path("Aliases").toString())
        .isEqualTo("[\"web\"]");
  }

  @Test
  void theImageIsRequiredAndUnknownFlagsAreRefused() {
    CommandLine cli = new CommandLine(new RunCommand().spec());
    assertThatThrownBy(() -> cli.parseArgs("--rm")).hasMessageContaining("IMAGE");
    assertThatThrownBy(() -> cli.parseArgs("--no-such-flag", "busybox")).hasMessageContaining("--no-such-flag");
  }

  @Test
  void multiplexedFramesGoToTheirStreams() throws Exception {
    ByteArrayOutputStream frames = new ByteArrayOutputStream();
    frames.write(new byte[] {1, 0, 0, 0, 0, 0, 0, 3});
    frames.write("out".getBytes());
    frames.write(new byte[] {2, 0, 0, 0, 0, 0, 0, 4});
    frames.write("err\n".getBytes());
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    ContainerCommands.copyOutput(new ByteArrayInputStream(frames.toByteArray()), false, out, err);
    assertThat(out.toString()).isEqualTo("out");
    assertThat(err.toString()).isEqualTo("err\n");
  }

  @Test
  void aFrameOfStream3EndsTheCopyAndIsReturned() throws Exception {
    ByteArrayOutputStream frames = new ByteArrayOutputStream();
    frames.write(new byte[] {1, 0, 0, 0, 0, 0, 0, 3});
    frames.write("out".getBytes());
    byte[] status = "{\"StatusCode\":3}".getBytes();
    frames.write(new byte[] {3, 0, 0, 0, 0, 0, 0, (byte) status.length});
    frames.write(status);
    frames.write(new byte[] {1, 0, 0, 0, 0, 0, 0, 5});
    frames.write("after".getBytes());
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    byte[] returned = ContainerCommands.copyFrames(new ByteArrayInputStream(frames.toByteArray()), out, err);
    assertThat(returned).isEqualTo(status);
    assertThat(out.toString()).isEqualTo("out");
    // The end of the stream without a status frame: null, the run's status is unknown.
    assertThat(ContainerCommands.copyFrames(new ByteArrayInputStream(new byte[0]), out, err)).isNull();
  }

  @Test
  void relativeTimesBecomeUnixSeconds() {
    long now = java.time.Instant.now().getEpochSecond();
    long tenMinutesAgo = Long.parseLong(TimeArgs.unix("10m").split("\\.")[0]);
    assertThat(tenMinutesAgo).isBetween(now - 601, now - 599);
    assertThat(TimeArgs.unix("2026-01-02T03:04:05Z")).isEqualTo("1767323045.000000000");
    assertThat(TimeArgs.unix("123")).isEqualTo("123");
  }

  @Test
  void hostOptionsBecomeTheirHostConfigFields() throws Exception {
    RunCommand run = new RunCommand();
    CommandLine cli = new CommandLine(run.spec());
    cli.setStopAtPositional(true);
    cli.parseArgs("--group-add", "audio", "--group-add", "1234", "--pid", "host", "--ipc", "none", "--uts",
        "container:x", "--cgroupns", "private", "--device", "/dev/null:/dev/mynull:rw", "--device", "/dev/zero:r",
        "--device-cgroup-rule", "c 1:3 rwm", "--memory-swappiness", "10", "--memory-reservation", "8m",
        "--oom-kill-disable", "--shm-size", "1m", "--sysctl", "net.ipv4.ip_forward=1", "--dns", "1.1.1.1",
        "--dns-search", "a.test", "--dns-option", "ndots:2", "--add-host", "db:10.0.0.9", "--log-driver", "none",
        "--link", "web", "--mac-address", "92:d0:c6:0a:29:33", "busybox");
    run.readParsed();
    JsonNode body = run.options.toJson(run.image, run.command);
    JsonNode host = body.path("HostConfig");
    assertThat(host.path("GroupAdd").toString()).isEqualTo("[\"audio\",\"1234\"]");
    assertThat(host.path("PidMode").asText()).isEqualTo("host");
    assertThat(host.path("IpcMode").asText()).isEqualTo("none");
    assertThat(host.path("UTSMode").asText()).isEqualTo("container:x");
    assertThat(host.path("CgroupnsMode").asText()).isEqualTo("private");
    assertThat(host.path("Devices").toString()).isEqualTo("[{\"PathOnHost\":\"/dev/null\",\"PathInContainer\":"
        + "\"/dev/mynull\",\"CgroupPermissions\":\"rw\"},{\"PathOnHost\":\"/dev/zero\",\"PathInContainer\":"
        + "\"/dev/zero\",\"CgroupPermissions\":\"r\"}]");
    assertThat(host.path("DeviceCgroupRules").toString()).isEqualTo("[\"c 1:3 rwm\"]");
    assertThat(host.path("MemorySwappiness").asLong()).isEqualTo(10);
    assertThat(host.path("MemoryReservation").asLong()).isEqualTo(8L << 20);
    assertThat(host.path("OomKillDisable").asBoolean()).isTrue();
    assertThat(host.path("ShmSize").asLong()).isEqualTo(1L << 20);
    assertThat(host.path("Sysctls").path("net.ipv4.ip_forward").asText()).isEqualTo("1");
    assertThat(host.path("Dns").toString()).isEqualTo("[\"1.1.1.1\"]");
    assertThat(host.path("DnsSearch").toString()).isEqualTo("[\"a.test\"]");
    assertThat(host.path("DnsOptions").toString()).isEqualTo("[\"ndots:2\"]");
    assertThat(host.path("ExtraHosts").toString()).isEqualTo("[\"db:10.0.0.9\"]");
    assertThat(host.path("LogConfig").path("Type").asText()).isEqualTo("none");
    assertThat(host.path("Links").toString()).isEqualTo("[\"web:web\"]");
    assertThat(body.path("MacAddress").asText()).isEqualTo("92:d0:c6:0a:29:33");
  }
}

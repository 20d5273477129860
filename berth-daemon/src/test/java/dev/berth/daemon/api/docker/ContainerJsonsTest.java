package dev.berth.daemon.api.docker;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.daemon.http.Json;
import dev.berth.engine.container.ContainerConfig;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ContainerJsonsTest {
  @Test
  void dockersCreateBodyMapsOntoTheEngineConfig() throws Exception {
    JsonNode body = Json.MAPPER.readTree("""
        {"Image":"busybox","Cmd":["echo","hi"],"Entrypoint":null,"Env":["A=b"],"Tty":true,"OpenStdin":true,
         "Labels":{"k":"v"},"StopSignal":"SIGINT","StopTimeout":3,
         "HostConfig":{"AutoRemove":true,"Memory":33554432,"MemorySwap":-1,"CpuQuota":50000,"CpuPeriod":100000,
           "PidsLimit":10,"Ulimits":[{"Name":"nproc","Soft":1,"Hard":2}],"CapAdd":["NET_ADMIN"],"NetworkMode":"host",
           "LogConfig":{"Type":"json-file","Config":{"max-size":"10m"}}}}""");
    ContainerConfig c = ContainerJsons.fromCreate(body);
    assertThat(c.image()).isEqualTo("busybox");
    assertThat(c.cmd()).containsExactly("echo", "hi");
    assertThat(c.entrypoint()).isNull();
    assertThat(c.tty()).isTrue();
    assertThat(c.autoRemove()).isTrue();
    assertThat(c.memory()).isEqualTo(33554432L);
    assertThat(c.memorySwap()).isEqualTo(-1);
    assertThat(c.nanoCpus()).isEqualTo(500_000_000L);
    assertThat(c.pidsLimit()).isEqualTo(10);
    assertThat(c.ulimits()).containsExactly(new ContainerConfig.Ulimit("nproc", 1, 2));
    assertThat(c.networkMode()).isEqualTo("host");
    assertThat(c.stopTimeout()).isEqualTo(3);
    assertThat(c.logConfig().maxSize()).isEqualTo(10_000_000L); // go-units: decimal, as json-file
    // docker's "default" network is Berth's "none" until networks exist.
    assertThat(ContainerJsons.fromCreate(Json.MAPPER.readTree("{\"Image\":\"i\"}")).networkMode()).isEqualTo("bridge");
    // A string entrypoint is one element, "" clears it.
    assertThat(ContainerJsons.fromCreate(Json.MAPPER.readTree("{\"Image\":\"i\",\"Entrypoint\":\"\"}")).entrypoint())
        .isEmpty();
  }

  @Test
  void humanDurationsAsDockerPrintsThem() {
    assertThat(ContainerJsons.human(Duration.ofMillis(300))).isEqualTo("Less than a second");
    assertThat(ContainerJsons.human(Duration.ofSeconds(1))).isEqualTo("1 second");
    assertThat(ContainerJsons.human(Duration.ofSeconds(42))).isEqualTo("42 seconds");
    assertThat(ContainerJsons.human(Duration.ofSeconds(70))).isEqualTo("About a minute");
    assertThat(ContainerJsons.human(Duration.ofMinutes(5))).isEqualTo("5 minutes");
    assertThat(ContainerJsons.human(Duration.ofHours(3))).isEqualTo("3 hours");
  }

  @Test
  void framesAndDetachKeys() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    AttachStreams.writeFrame(out, 2, "hey".getBytes());
    assertThat(out.toByteArray()).containsExactly(2, 0, 0, 0, 0, 0, 0, 3, 'h', 'e', 'y');
    assertThat(AttachStreams.detachSequence("ctrl-p,ctrl-q")).containsExactly(16, 17);
    assertThat(AttachStreams.detachSequence("ctrl-a,x")).containsExactly(1, 'x');
  }
}

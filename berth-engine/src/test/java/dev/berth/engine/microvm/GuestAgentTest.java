package dev.berth.engine.microvm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.engine.BerthException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

class GuestAgentTest {
  @Test
  void aRequestIsOneLineCarryingTheRunScript() {
    GuestCommand cmd = new GuestCommand(List.of("A=1"), List.of("sh", "-c", "echo 'x'\nexit 3"), "/w", 0, 0);
    String line = GuestAgent.request(cmd);

    assertThat(line).endsWith("\n").doesNotContain(" ");
    assertThat(line.indexOf('\n')).isEqualTo(line.length() - 1); // newlines of the command are inside the base64
    assertThat(new String(Base64.getDecoder().decode(line.strip()), StandardCharsets.UTF_8)).isEqualTo(cmd.script());
  }

  @Test
  void theAnswerGivesCodeAndBothOutputsEvenEmptyOnes() {
    Base64.Encoder b = Base64.getEncoder();
    GuestAgent.Result r = GuestAgent.parse("3 " + b.encodeToString("out\n".getBytes()) + " \n");

    assertThat(r.exitCode()).isEqualTo(3);
    assertThat(new String(r.stdout())).isEqualTo("out\n");
    assertThat(r.stderr()).isEmpty();
    assertThatThrownBy(() -> GuestAgent.parse("garbage")).isInstanceOf(BerthException.class)
        .hasMessageContaining("agent");
  }

  @Test
  void anInteractiveRequestNamesSlotTerminalAndSizeBeforeTheScript() {
    GuestCommand cmd = new GuestCommand(List.of(), List.of("sh"), "/", 0, 0);
    String line = GuestAgent.slotRequest(1, true, 40, 120, cmd);

    assertThat(line).isEqualTo("x 1 1 40 120 " + GuestAgent.request(cmd));
    assertThat(GuestAgent.slotRequest(0, false, -1, 0, cmd)).startsWith("x 0 0 0 0 ");
  }

  @Test
  void anAnswerLeftFromAnEarlierRequestIsSkippedForTheOneWithThisRequestsTag() throws Exception {
    String tag = GuestAgent.newTag();
    assertThat(tag).matches("[0-9a-f]{12}").isNotEqualTo(GuestAgent.newTag());
    assertThat(GuestAgent.tagged(tag, "x 0 0 0 0 abc\n")).isEqualTo("t " + tag + " x 0 0 0 0 abc\n");

    java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("agent");
    java.nio.file.Path sock = dir.resolve("a.sock");
    try (var server = java.nio.channels.ServerSocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
      server.bind(java.net.UnixDomainSocketAddress.of(sock));
      Thread guest = Thread.ofVirtual().start(() -> {
        try (var ch = server.accept()) {
          // a healthcheck's answer nobody read, then this request's, split across writes
          ch.write(java.nio.ByteBuffer.wrap("0ld0ld0ld0ld 137  \n".getBytes()));
          ch.write(java.nio.ByteBuffer.wrap((tag + " 0 b2s=").getBytes()));
          ch.write(java.nio.ByteBuffer.wrap(" \n".getBytes()));
        } catch (java.io.IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      });
      try (var client = java.nio.channels.SocketChannel.open(java.net.UnixDomainSocketAddress.of(sock))) {
        GuestAgent.Result r = GuestAgent.parse(GuestAgent.readAnswer(client, tag));
        assertThat(r.exitCode()).isZero();
        assertThat(new String(r.stdout())).isEqualTo("ok");
      }
      guest.join();
    } finally {
      java.nio.file.Files.deleteIfExists(sock);
      java.nio.file.Files.delete(dir);
    }
  }

  @Test
  void theGuestIsToldToBringItsAgentUpBeforeARequestAndAgainWhileItWaits() throws Exception {
    java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("agent");
    java.nio.file.Path sock = dir.resolve("a.sock");
    java.util.concurrent.atomic.AtomicInteger wakes = new java.util.concurrent.atomic.AtomicInteger();
    java.util.concurrent.atomic.AtomicInteger wakesWhenAnswered = new java.util.concurrent.atomic.AtomicInteger();
    try (var server = java.nio.channels.ServerSocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
      server.bind(java.net.UnixDomainSocketAddress.of(sock));
      Thread guest = Thread.ofVirtual().start(() -> {
        try (var ch = server.accept()) {
          // the guest lost the first line (sent while its kernel booted): it answers only after a later one
          var buf = java.nio.ByteBuffer.allocate(4096);
          ch.read(buf);
          String tag = new String(buf.array(), 0, buf.position(), StandardCharsets.US_ASCII).split(" ")[1];
          long deadline = System.nanoTime() + 10_000_000_000L;
          while (wakes.get() < 2 && System.nanoTime() < deadline) {
            Thread.sleep(10);
          }
          wakesWhenAnswered.set(wakes.get());
          ch.write(java.nio.ByteBuffer.wrap((tag + " 0  \n").getBytes()));
        } catch (java.io.IOException | InterruptedException e) {
          throw new IllegalStateException(e);
        }
      });
      GuestAgent agent = new GuestAgent(sock, wakes::incrementAndGet);

      GuestAgent.Result r = agent.run("true", java.time.Duration.ofSeconds(20));

      guest.join();
      assertThat(r.exitCode()).isZero();
      assertThat(wakesWhenAnswered.get()).isGreaterThanOrEqualTo(2);
      int after = wakes.get();
      Thread.sleep(GuestAgent.WAKE_AGAIN.toMillis() + 500);
      assertThat(wakes.get()).as("no more wakes once answered").isEqualTo(after);
    } finally {
      java.nio.file.Files.deleteIfExists(sock);
      java.nio.file.Files.deleteIfExists(dir);
    }
  }
}

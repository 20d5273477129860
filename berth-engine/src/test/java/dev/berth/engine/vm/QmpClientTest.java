package dev.berth.engine.vm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** QMP framing against a fake QEMU: a unix socket server in the test speaking JSON lines. */
class QmpClientTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path dir;

  private ServerSocketChannel server;
  private final List<String> received = new CopyOnWriteArrayList<>();

  @AfterEach
  void closeServer() throws IOException {
    if (server != null) {
      server.close();
    }
  }

  /** The fake QEMU's behaviour for one command: write whatever lines it likes. */
  interface Script {
    void answer(JsonNode command, OutputStream out) throws IOException;
  }

  private Path fakeQemu(boolean greet, Script script) throws IOException {
    Path socket = dir.resolve("qmp.sock");
    server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    server.bind(UnixDomainSocketAddress.of(socket));
    Thread.ofVirtual().start(() -> {
      try (SocketChannel ch = server.accept()) {
        OutputStream out = Channels.newOutputStream(ch);
        if (greet) {
          // A greeting split across writes: framing must not depend on packet boundaries.
          send(out, "{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 0, \"minor\": 2, \"major\": 7}}, ");
          send(out, "\"capabilities\": [\"oob\"]}}\r\n");
        }
        BufferedReader in = new BufferedReader(new InputStreamReader(Channels.newInputStream(ch), StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
          received.add(line);
          script.answer(JSON.readTree(line), out);
        }
      } catch (IOException e) {
        // the client closed
      }
    });
    return socket;
  }

  private static void send(OutputStream out, String s) throws IOException {
    out.write(s.getBytes(StandardCharsets.UTF_8));
    out.flush();
  }

  private static String id(JsonNode command) {
    return JSON.valueToTree(command.get("id")).toString();
  }

  @Test
  void negotiatesCapabilitiesThenMatchesRepliesByIdAndDeliversEvents() throws Exception {
    Path socket = fakeQemu(true, (cmd, out) -> {
      switch (cmd.path("execute").asText()) {
        case "qmp_capabilities" -> send(out, "{\"return\": {}, \"id\": " + id(cmd) + "}\n");
        case "query-status" -> {
          // An event and a reply to an unknown id arrive before the real reply.
          send(out, "{\"timestamp\": {\"seconds\": 1, \"microseconds\": 2}, \"event\": \"STOP\"}\n");
          send(out, "{\"return\": {}, \"id\": \"someone-else\"}\n");
          send(out, "{\"return\": {\"status\": \"paused\", \"running\": false}, \"id\": " + id(cmd) + "}\n");
        }
        case "system_powerdown" -> send(out, "{\"event\": \"SHUTDOWN\", \"data\": {\"guest\": true, \"reason\": "
            + "\"guest-shutdown\"}, \"timestamp\": {\"seconds\": 1, \"microseconds\": 2}}\n{\"return\": {}, \"id\": "
            + id(cmd) + "}\n");
        default -> send(out, "{\"error\": {\"class\": \"CommandNotFound\", \"desc\": \"The command "
            + cmd.path("execute").asText() + " has not been found\"}, \"id\": " + id(cmd) + "}\n");
      }
    });
    BlockingQueue<QmpClient.Event> events = new LinkedBlockingQueue<>();
    try (QmpClient qmp = QmpClient.connect(socket, Duration.ofSeconds(5))) {
      qmp.addListener(events::add);
      assertThat(received).hasSize(1);
      assertThat(JSON.readTree(received.getFirst()).path("execute").asText()).isEqualTo("qmp_capabilities");

      JsonNode status = qmp.execute("query-status");
      assertThat(status.path("status").asText()).isEqualTo("paused");
      QmpClient.Event stop = events.poll(5, TimeUnit.SECONDS);
      assertThat(stop).isNotNull();
      assertThat(stop.name()).isEqualTo("STOP");

      qmp.execute("system_powerdown");
      QmpClient.Event shutdown = events.poll(5, TimeUnit.SECONDS);
      assertThat(shutdown).isNotNull();
      assertThat(shutdown.name()).isEqualTo("SHUTDOWN");
      assertThat(shutdown.data().path("guest").asBoolean()).isTrue();

      assertThatThrownBy(() -> qmp.execute("no-such-command"))
          .isInstanceOf(QmpClient.QmpException.class).hasMessageContaining("CommandNotFound");
      assertThat(received.stream().map(l -> l.contains("\"id\"")).distinct().toList()).containsExactly(true);
    }
  }

  @Test
  void aCommandWithoutReplyTimesOut() throws Exception {
    Path socket = fakeQemu(true, (cmd, out) -> {
      if (cmd.path("execute").asText().equals("qmp_capabilities")) {
        send(out, "{\"return\": {}, \"id\": " + id(cmd) + "}\n");
      }
      // everything else: silence
    });
    try (QmpClient qmp = QmpClient.connect(socket, Duration.ofMillis(300))) {
      assertThatThrownBy(() -> qmp.execute("query-status"))
          .isInstanceOf(QmpClient.QmpException.class).hasMessageContaining("no reply within 300 ms");
    }
  }

  @Test
  void aServerThatNeverGreetsFailsTheConnect() throws Exception {
    Path socket = fakeQemu(false, (cmd, out) -> { });
    assertThatThrownBy(() -> QmpClient.connect(socket, Duration.ofMillis(300))).isInstanceOf(IOException.class);
  }

  @Test
  void pendingCallsFailWhenQemuGoesAway() throws Exception {
    Path socket = fakeQemu(true, (cmd, out) -> {
      if (cmd.path("execute").asText().equals("qmp_capabilities")) {
        send(out, "{\"return\": {}, \"id\": " + id(cmd) + "}\n");
      } else {
        out.close(); // QEMU exits mid-call
      }
    });
    try (QmpClient qmp = QmpClient.connect(socket, Duration.ofSeconds(5))) {
      assertThatThrownBy(() -> qmp.execute("quit")).isInstanceOf(QmpClient.QmpException.class)
          .hasMessageContaining("closed");
      qmp.closedFuture().get(5, TimeUnit.SECONDS);
    }
  }
}

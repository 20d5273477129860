package dev.berth.it.diff;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.cli.client.DaemonAddress;
import dev.berth.cli.client.DaemonClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** A daemon's answer to one call: status, the headers asked for, the body. */
record Answer(int status, Map<String, String> headers, byte[] body) {
  static final ObjectMapper JSON = new ObjectMapper();

  /** Sends {@code call} (already expanded) to the daemon on {@code socket}, at API 1.41 (dockerd 20.10's). */
  static Answer send(Path socket, Call call, String path, String body) {
    DaemonClient client = new DaemonClient(new DaemonAddress.Unix(socket), "1.41");
    DaemonClient.Body requestBody = call.payload != null
        ? new DaemonClient.Body.Bytes(call.contentType, call.payload)
        : body != null ? new DaemonClient.Body.Bytes("application/json", body.getBytes(StandardCharsets.UTF_8))
            : new DaemonClient.Body.None();
    try (DaemonClient.Response r = call.unversioned
        ? client.request(call.method, path, body == null ? null : body.getBytes(StandardCharsets.UTF_8))
        : client.call(call.method, path, Map.of(), requestBody)) {
      Map<String, String> headers = new LinkedHashMap<>();
      for (String h : call.headers) {
        String v = r.header(h);
        headers.put(h.toLowerCase(Locale.ROOT), v == null ? "(none)" : v);
      }
      return new Answer(r.status(), headers, r.bytes());
    } catch (IOException e) {
      throw new UncheckedIOException(call + ": " + e.getMessage(), e);
    }
  }

  /** The body as JSON, or null when it is not JSON (or empty). */
  JsonNode json() {
    if (body.length == 0) {
      return null;
    }
    try {
      return JSON.readTree(body);
    } catch (IOException e) {
      return null;
    }
  }

  String text() {
    return new String(body, StandardCharsets.UTF_8);
  }
}

package dev.berth.daemon.console;

import dev.berth.daemon.http.ApiError;
import dev.berth.daemon.http.ApiRequest;
import dev.berth.daemon.http.ApiResponse;
import dev.berth.daemon.http.ApiVersion;
import dev.berth.daemon.http.Dispatcher;
import dev.berth.daemon.http.ExchangeHandler;
import dev.berth.daemon.http.Json;
import dev.berth.daemon.http.RawStream;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * One API call whose answer streams over a WebSocket: logs that follow, stats, events (each
 * piece the route writes is one binary message), or an upgraded raw stream such as a VM's
 * serial console (the browser's messages are its input). The call goes to the same routes the
 * API socket serves, as any client's would; an error before the stream starts closes the
 * WebSocket with code 4000 + the HTTP status and the API's message as the reason.
 */
final class StreamBridge {
  private final ExchangeHandler api;

  StreamBridge(ExchangeHandler api) {
    this.api = api;
  }

  /** Runs {@code method rawPath?query} against the API with its answer on {@code ws}; returns when it ends. */
  void run(WebSocketConnection ws, String method, String rawPath, String query) {
    WsResponse response = new WsResponse(ws);
    ws.startReading(response::fromBrowser);
    try {
      api.handle(new InternalExchange(method, rawPath, new QueryStringDecoder("?" + query, StandardCharsets.UTF_8),
          response));
    } finally {
      ws.close(1000, "");
    }
  }

  private record InternalExchange(String method, String rawPath, QueryStringDecoder query, WsResponse response)
      implements Dispatcher.Exchange {
    @Override
    public ApiRequest request(Optional<ApiVersion> version, String path, Map<String, String> params) {
      return new InternalRequest(method, path, version, params, query);
    }
  }

  private record InternalRequest(String method, String path, Optional<ApiVersion> apiVersion,
      Map<String, String> params, QueryStringDecoder decoder) implements ApiRequest {
    @Override
    public String pathParam(String name) {
      String value = params.get(name);
      if (value == null) {
        throw new IllegalArgumentException("route has no path parameter " + name);
      }
      return value;
    }

    @Override
    public Optional<String> query(String name) {
      return queryAll(name).stream().findFirst();
    }

    @Override
    public List<String> queryAll(String name) {
      return queryParameters().getOrDefault(name, List.of());
    }

    @Override
    public Map<String, List<String>> queryParameters() {
      try {
        return decoder.parameters();
      } catch (IllegalArgumentException badEscape) {
        throw new ApiError(400, "invalid URL escape in the query: " + badEscape.getMessage());
      }
    }

    @Override
    public Optional<String> header(String name) {
      return Optional.empty();
    }

    @Override
    public InputStream body() {
      return InputStream.nullInputStream();
    }

    @Override
    public <T> T jsonBody(Class<T> type) {
      throw new ApiError(400, "a streamed console call carries no request body");
    }
  }

  /** The route's answer, onto the WebSocket. */
  private static final class WsResponse implements ApiResponse {
    private static final byte[] END = new byte[0];

    private final WebSocketConnection ws;
    private final BlockingQueue<byte[]> input = new LinkedBlockingQueue<>();
    private boolean committed;

    WsResponse(WebSocketConnection ws) {
      this.ws = ws;
      ws.onClose(() -> input.add(END));
    }

    void fromBrowser(byte[] data) {
      if (data.length > 0) {
        input.add(data);
      }
    }

    @Override
    public ApiResponse header(String name, String value) {
      return this;
    }

    @Override
    public boolean committed() {
      return committed;
    }

    @Override
    public boolean connected() {
      return ws.isOpen();
    }

    @Override
    public AutoCloseable onHangUp(Runnable listener) {
      ws.onClose(listener);
      return () -> { };
    }

    private void commit() {
      if (committed) {
        throw new IllegalStateException("response already sent");
      }
      committed = true;
    }

    @Override
    public void json(int status, Object body) throws IOException {
      whole(status, Json.MAPPER.writeValueAsBytes(body));
    }

    @Override
    public void text(int status, String contentType, String body) throws IOException {
      whole(status, body.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void bytes(int status, String contentType, byte[] body) throws IOException {
      whole(status, body);
    }

    @Override
    public void empty(int status) throws IOException {
      whole(status, new byte[0]);
    }

    private void whole(int status, byte[] body) throws IOException {
      commit();
      if (status >= 400) {
        ws.close(4000 + Math.min(status, 999), message(body));
        return;
      }
      if (body.length > 0) {
        ws.sendBinary(body, 0, body.length);
      }
    }

    private static String message(byte[] body) {
      try {
        var node = Json.MAPPER.readTree(body);
        if (node != null && node.has("message")) {
          return node.get("message").asText();
        }
      } catch (IOException notJson) {
        // fall through to the raw text
      }
      return new String(body, StandardCharsets.UTF_8);
    }

    @Override
    public OutputStream stream(int status, String contentType) throws IOException {
      commit();
      return new MessageStream();
    }

    @Override
    public RawStream hijack(String contentType) throws IOException {
      commit();
      return new RawStream() {
        private final InputStream in = new QueueInput();
        private final OutputStream out = new MessageStream();

        @Override
        public InputStream input() {
          return in;
        }

        @Override
        public OutputStream output() {
          return out;
        }

        @Override
        public void closeOutput() {
          ws.close(1000, "");
        }
      };
    }

    /** Each write is one binary message, at once. */
    private final class MessageStream extends OutputStream {
      @Override
      public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
      }

      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        if (len > 0) {
          ws.sendBinary(b, off, len);
        }
      }
    }

    /** The browser's messages as one byte stream; it ends when the WebSocket does. */
    private final class QueueInput extends InputStream {
      private byte[] current = new byte[0];
      private int pos;
      private boolean ended;

      @Override
      public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
          return 0;
        }
        while (pos >= current.length) {
          if (ended) {
            return -1;
          }
          try {
            byte[] next = input.take();
            if (next == END) {
              ended = true;
              input.add(END);
              return -1;
            }
            current = next;
            pos = 0;
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("console input interrupted");
          }
        }
        int n = Math.min(len, current.length - pos);
        System.arraycopy(current, pos, b, off, n);
        pos += n;
        return n;
      }
    }
  }
}

package dev.berth.daemon.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.DateFormatter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** One request/response on a Netty connection, driven from the connection's virtual thread. */
final class NettyExchange implements Dispatcher.Exchange {
  private static final HttpResponseStatus UPGRADED = new HttpResponseStatus(101, "UPGRADED");

  private final HttpConnection connection;
  private final HttpRequest request;
  private final boolean keepAlive;
  private final QueryStringDecoder query;
  private final InboxStream body;
  private final Response response = new Response();
  private boolean hijacked;
  private boolean mustClose;

  NettyExchange(HttpConnection connection, HttpRequest request, boolean keepAlive) {
    this.connection = connection;
    this.request = request;
    this.keepAlive = keepAlive;
    this.query = new QueryStringDecoder(request.uri());
    this.body = new InboxStream(connection, true);
  }

  @Override
  public String method() {
    return request.method().name();
  }

  @Override
  public String rawPath() {
    return query.rawPath();
  }

  @Override
  public ApiRequest request(Optional<ApiVersion> version, String path, Map<String, String> params) {
    return new Request(version, path, params);
  }

  @Override
  public ApiResponse response() {
    return response;
  }

  boolean hijacked() {
    return hijacked;
  }

  boolean connectionMustClose() {
    return mustClose;
  }

  /** Reads and drops what the route left of the body; false if the connection ended. */
  boolean drainBody() {
    try {
      body.skipAll();
      return !body.connectionEnded();
    } catch (IOException e) {
      return false;
    }
  }

  /** Docker's error shape for a request that cannot be served at all; the connection then closes. */
  static void sendErrorAndClose(HttpConnection connection, int status, String message) {
    byte[] bytes = ("{\"message\":" + quote(message) + "}\n").getBytes(StandardCharsets.UTF_8);
    FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status),
        Unpooled.wrappedBuffer(bytes));
    ServerIdentity id = connection.identity();
    r.headers().set("Api-Version", id.apiVersion());
    r.headers().set("Ostype", id.osType());
    r.headers().set("Server", id.server());
    r.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
    r.headers().set(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
    r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    connection.channel().writeAndFlush(r).awaitUninterruptibly();
  }

  private static String quote(String s) {
    try {
      return Json.MAPPER.writeValueAsString(s);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private final class Request implements ApiRequest {
    private final Optional<ApiVersion> version;
    private final String path;
    private final Map<String, String> params;

    Request(Optional<ApiVersion> version, String path, Map<String, String> params) {
      this.version = version;
      this.path = path;
      this.params = params;
    }

    @Override
    public String method() {
      return request.method().name();
    }

    @Override
    public String path() {
      return path;
    }

    @Override
    public Optional<ApiVersion> apiVersion() {
      return version;
    }

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
      List<String> values = parameters().get(name);
      return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.getFirst());
    }

    @Override
    public List<String> queryAll(String name) {
      return parameters().getOrDefault(name, List.of());
    }

    @Override
    public Map<String, List<String>> queryParameters() {
      return parameters();
    }

    private Map<String, List<String>> parameters() {
      try {
        return query.parameters();
      } catch (IllegalArgumentException badEscape) {
        // a client's broken %-escape in the query (found by ApiFuzzIT): a 400, not a 500
        throw new ApiError(400, "invalid URL escape in the query: " + badEscape.getMessage());
      }
    }

    @Override
    public Optional<String> header(String name) {
      return Optional.ofNullable(request.headers().get(name));
    }

    @Override
    public InputStream body() {
      return body;
    }

    @Override
    public <T> T jsonBody(Class<T> type) {
      int max = connection.limits().maxJsonBody();
      try {
        // Refused before reading when the length is announced; else after max + 1 bytes. Either
        // way the rest is not drained: the connection closes after the answer.
        long announced = HttpUtil.getContentLength(request, -1L);
        if (announced > max) {
          mustClose = true;
          throw new ApiError(413, "request body of " + announced + " bytes is larger than the " + max
              + " bytes a JSON body may have");
        }
        byte[] bytes = body.readNBytes(max + 1);
        if (bytes.length > max) {
          mustClose = true;
          throw new ApiError(413, "request body is larger than the " + max + " bytes a JSON body may have");
        }
        if (bytes.length == 0) {
          throw new ApiError(400, "request body is empty; a JSON object is required");
        }
        return Json.MAPPER.readValue(bytes, type);
      } catch (JsonProcessingException e) {
        throw new ApiError(400, ErrorMapper.jsonMessage(e), e);
      } catch (IOException e) {
        throw new ApiError(400, "could not read the request body: " + e.getMessage(), e);
      }
    }
  }

  private final class Response implements ApiResponse {
    private final Map<String, String> extraHeaders = new LinkedHashMap<>();
    private boolean committed;

    @Override
    public ApiResponse header(String name, String value) {
      extraHeaders.put(name, value);
      return this;
    }

    @Override
    public boolean committed() {
      return committed;
    }

    @Override
    public boolean connected() {
      return connection.channel().isActive() && !connection.inputShutdown();
    }

    @Override
    public AutoCloseable onHangUp(Runnable listener) {
      return connection.onHangUp(listener);
    }

    private void commit() {
      if (committed) {
        throw new IllegalStateException("response already sent");
      }
      committed = true;
    }

    private void addHeaders(HttpHeaders headers, String contentType) {
      ServerIdentity id = connection.identity();
      headers.set("Api-Version", id.apiVersion());
      headers.set("Ostype", id.osType());
      headers.set("Server", id.server());
      headers.set("Docker-Experimental", "false");
      headers.set(HttpHeaderNames.DATE, DateFormatter.format(new java.util.Date()));
      if (contentType != null) {
        headers.set("Content-Type", contentType);
      }
      extraHeaders.forEach(headers::set);
      if (!keepAlive || mustClose) {
        headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
      }
    }

    @Override
    public void json(int status, Object value) throws IOException {
      byte[] bytes = Json.MAPPER.writeValueAsBytes(value);
      byte[] withNewline = new byte[bytes.length + 1];
      System.arraycopy(bytes, 0, withNewline, 0, bytes.length);
      withNewline[bytes.length] = '\n';
      full(status, "application/json", withNewline);
    }

    @Override
    public void text(int status, String contentType, String text) throws IOException {
      full(status, contentType, text.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void bytes(int status, String contentType, byte[] body) throws IOException {
      full(status, contentType, body);
    }

    @Override
    public void empty(int status) throws IOException {
      commit();
      FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status));
      addHeaders(r.headers(), null);
      r.headers().set(HttpHeaderNames.CONTENT_LENGTH, 0);
      write(r);
    }

    private void full(int status, String contentType, byte[] bytes) throws IOException {
      commit();
      boolean head = request.method().name().equals("HEAD");
      FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status),
          head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(bytes));
      addHeaders(r.headers(), contentType);
      r.headers().set(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
      write(r);
    }

    @Override
    public OutputStream stream(int status, String contentType) throws IOException {
      commit();
      HttpResponse r = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status));
      addHeaders(r.headers(), contentType);
      HttpUtil.setTransferEncodingChunked(r, true);
      write(r);
      return new ChunkedBody();
    }

    @Override
    public RawStream hijack(String contentType) throws IOException {
      commit();
      hijacked = true;
      boolean upgrade = request.headers().contains(HttpHeaderNames.UPGRADE);
      HttpResponse r = new DefaultHttpResponse(HttpVersion.HTTP_1_1, upgrade ? UPGRADED : HttpResponseStatus.OK);
      addHeaders(r.headers(), contentType);
      if (upgrade) {
        r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE);
        r.headers().set(HttpHeaderNames.UPGRADE, request.headers().get(HttpHeaderNames.UPGRADE));
      }
      // One task on the connection's event loop: the answer goes out through the HTTP encoder,
      // then the codec leaves. Reads run on that loop too, so whatever the client sends once it
      // has the answer finds no HTTP decoder (raw bytes must never reach it).
      Channel channel = connection.channel();
      ChannelFuture answered;
      try {
        answered = channel.eventLoop().submit(() -> {
          ChannelFuture f = channel.writeAndFlush(r);
          channel.pipeline().remove(HttpServerCodec.class);
          RequestHeadTimeout.remove(channel.pipeline());
          return f;
        }).sync().getNow();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted while taking over the connection");
      }
      if (answered.isDone() && !answered.isSuccess()) {
        mustClose = true;
        throw new ClientGoneException(answered.cause());
      }
      return new Hijacked();
    }

    private void write(Object message) throws IOException {
      Channel channel = connection.channel();
      ChannelFuture f = channel.writeAndFlush(message);
      if (!channel.isWritable()) {
        f.awaitUninterruptibly();
      }
      if (f.isDone() && !f.isSuccess()) {
        mustClose = true;
        throw new ClientGoneException(f.cause());
      }
    }

    private final class ChunkedBody extends OutputStream {
      private boolean closed;

      @Override
      public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
      }

      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        if (closed) {
          throw new IOException("response stream closed");
        }
        if (len > 0) {
          Response.this.write(new DefaultHttpContent(Unpooled.copiedBuffer(b, off, len)));
        }
      }

      @Override
      public void close() throws IOException {
        if (!closed) {
          closed = true;
          Response.this.write(LastHttpContent.EMPTY_LAST_CONTENT);
        }
      }
    }

    private final class Hijacked implements RawStream {
      private final InputStream in = new InboxStream(connection, false);
      private final OutputStream out = new OutputStream() {
        @Override
        public void write(int b) throws IOException {
          write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
          if (len > 0) {
            Response.this.write(Unpooled.copiedBuffer(b, off, len));
          }
        }
      };

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
        // Over TLS the end of output is a close_notify first; a bare TCP FIN reads as a
        // truncation attack to the client's TLS stack.
        io.netty.handler.ssl.SslHandler ssl = connection.channel().pipeline().get(io.netty.handler.ssl.SslHandler.class);
        if (ssl != null) {
          ssl.closeOutbound().awaitUninterruptibly();
        }
        if (connection.channel() instanceof DuplexChannel duplex) {
          duplex.shutdownOutput().awaitUninterruptibly();
        }
      }
    }
  }
}

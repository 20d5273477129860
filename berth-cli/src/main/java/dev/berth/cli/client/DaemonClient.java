package dev.berth.cli.client;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.cli.json.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpException;
import org.apache.hc.core5.http.HttpHeaders;
import org.apache.hc.core5.http.impl.io.ChunkedInputStream;
import org.apache.hc.core5.http.impl.io.ChunkedOutputStream;
import org.apache.hc.core5.http.impl.io.ContentLengthInputStream;
import org.apache.hc.core5.http.impl.io.DefaultHttpRequestWriter;
import org.apache.hc.core5.http.impl.io.DefaultHttpResponseParser;
import org.apache.hc.core5.http.impl.io.EmptyInputStream;
import org.apache.hc.core5.http.impl.io.IdentityInputStream;
import org.apache.hc.core5.http.impl.io.SessionInputBufferImpl;
import org.apache.hc.core5.http.impl.io.SessionOutputBufferImpl;
import org.apache.hc.core5.http.message.BasicClassicHttpRequest;

/**
 * The CLI's HTTP/1.1 client for the daemon's API, over a unix or TCP socket. The JDK's
 * HttpClient cannot use unix sockets, so a JDK SocketChannel carries Apache HttpCore's message
 * writer and parser: HttpCore does the HTTP, the JDK does the socket. One connection per
 * request: CLI commands make few calls, and a fresh connection keeps streams simple.
 */
public final class DaemonClient {

  private final DaemonAddress address;
  private final String apiPrefix;
  private final TlsFiles tls;
  private TlsConnector tlsConnector;

  public DaemonClient(DaemonAddress address, String apiVersion) {
    this(address, apiVersion, null);
  }

  /** With {@code tls} (null: none) for a TCP address; unix sockets never use TLS, as with docker. */
  public DaemonClient(DaemonAddress address, String apiVersion, TlsFiles tls) {
    this.address = address;
    this.apiPrefix = "/v" + apiVersion;
    this.tls = tls;
  }

  public DaemonAddress address() {
    return address;
  }

  /** An HTTP response whose body is read as it arrives; close it to free the connection. */
  public static final class Response implements AutoCloseable {
    private final int status;
    private final ClassicHttpResponse head;
    private final InputStream body;
    private final Connection channel;

    Response(int status, ClassicHttpResponse head, InputStream body, Connection channel) {
      this.status = status;
      this.head = head;
      this.body = body;
      this.channel = channel;
    }

    public int status() {
      return status;
    }

    public String header(String name) {
      Header h = head.getFirstHeader(name);
      return h == null ? null : h.getValue();
    }

    public InputStream body() {
      return body;
    }

    public byte[] bytes() throws IOException {
      return body.readAllBytes();
    }

    @Override
    public void close() throws IOException {
      channel.close();
    }
  }

  /** GET a JSON document from a versioned API path; throws {@link DaemonException} on an error status. */
  public JsonNode getJson(String path) {
    try (Response r = request("GET", apiPrefix + path, null)) {
      return Json.parse(checked(r));
    } catch (IOException e) {
      throw new UncheckedIOException("talking to the daemon at " + address + ": " + e.getMessage(), e);
    }
  }

  /** GET a JSON document from an unversioned path, such as Berth's own {@code /berth/v1/...}. */
  public JsonNode getJsonUnversioned(String path) {
    try (Response r = request("GET", path, null)) {
      return Json.parse(checked(r));
    } catch (IOException e) {
      throw new UncheckedIOException("talking to the daemon at " + address + ": " + e.getMessage(), e);
    }
  }

  /**
   * Sends a request with an optional JSON body to an unversioned path (Berth's {@code /berth/v1/...});
   * the answer's JSON, or null when it has no body. An error status becomes a {@link DaemonException}.
   */
  public JsonNode callUnversioned(String method, String path, byte[] jsonBody) {
    try (Response r = request(method, path, jsonBody)) {
      byte[] bytes = checked(r).readAllBytes();
      return bytes.length == 0 ? null : Json.parse(bytes);
    } catch (IOException e) {
      throw new UncheckedIOException("talking to the daemon at " + address + ": " + e.getMessage(), e);
    }
  }

  /** A connection taken over from HTTP after {@code 101 UPGRADED}: raw bytes both ways. */
  public static final class RawConnection implements AutoCloseable {
    private final Connection channel;
    private final ClassicHttpResponse head;
    private final InputStream in;
    private final OutputStream out;

    RawConnection(Connection channel, ClassicHttpResponse head, InputStream in, OutputStream out) {
      this.channel = channel;
      this.head = head;
      this.in = in;
      this.out = out;
    }

    /** A header of the answer that upgraded the connection, or null. */
    public String header(String name) {
      Header h = head.getFirstHeader(name);
      return h == null ? null : h.getValue();
    }

    /** What the daemon sends; bytes that arrived with the HTTP answer come first. */
    public InputStream input() {
      return in;
    }

    public OutputStream output() {
      return out;
    }

    /** Tells the daemon no more input comes (as docker does at stdin EOF). */
    public void closeOutput() throws IOException {
      channel.shutdownOutput();
    }

    @Override
    public void close() throws IOException {
      channel.close();
    }
  }

  /**
   * Sends a request asking to upgrade the connection ({@code Upgrade: tcp}), as attach, exec
   * start and VM consoles do. An error status becomes a {@link DaemonException}.
   */
  public RawConnection upgrade(String method, String path, byte[] jsonBody) {
    return upgradeAt(method, apiPrefix + path, jsonBody);
  }

  /** {@link #upgrade} of an unversioned path, such as Berth's own {@code /berth/v1/...}. */
  public RawConnection upgradeUnversioned(String method, String path, byte[] jsonBody) {
    return upgradeAt(method, path, jsonBody);
  }

  private RawConnection upgradeAt(String method, String path, byte[] jsonBody) {
    Connection channel = open();
    try {
      InputStream in = channel.input();
      OutputStream out = channel.output();
      BasicClassicHttpRequest request = new BasicClassicHttpRequest(method, path);
      request.setHeader(HttpHeaders.HOST, "berth");
      request.setHeader(HttpHeaders.USER_AGENT, "berth-cli");
      request.setHeader(HttpHeaders.CONNECTION, "Upgrade");
      request.setHeader(HttpHeaders.UPGRADE, "tcp");
      byte[] body = jsonBody == null ? new byte[0] : jsonBody;
      request.setHeader(HttpHeaders.CONTENT_TYPE, "application/json");
      request.setHeader(HttpHeaders.CONTENT_LENGTH, Integer.toString(body.length));
      SessionOutputBufferImpl outBuffer = new SessionOutputBufferImpl(8192);
      new DefaultHttpRequestWriter().write(request, outBuffer, out);
      outBuffer.write(body, out);
      outBuffer.flush(out);
      SessionInputBufferImpl inBuffer = new SessionInputBufferImpl(8192);
      ClassicHttpResponse response = new DefaultHttpResponseParser().parse(inBuffer, in);
      if (response == null) {
        throw new IOException("the daemon closed the connection without answering");
      }
      if (response.getCode() != 101 && response.getCode() != 200) {
        try (Response r = new Response(response.getCode(), response, body(method, response, inBuffer, in), channel)) {
          checked(r);
        }
      }
      return new RawConnection(channel, response, new IdentityInputStream(inBuffer, in), out);
    } catch (HttpException e) {
      closeQuietly(channel);
      throw new UncheckedIOException(new IOException("bad HTTP response from the daemon: " + e.getMessage(), e));
    } catch (IOException e) {
      closeQuietly(channel);
      throw new UncheckedIOException("talking to the daemon at " + address + ": " + e.getMessage(), e);
    } catch (RuntimeException e) {
      closeQuietly(channel);
      throw e;
    }
  }

  private static void closeQuietly(Connection channel) {
    try {
      channel.close();
    } catch (IOException ignored) {
      // already failing; the first error is the one to report
    }
  }

  /** What a request carries. */
  public sealed interface Body {
    /** No body. */
    record None() implements Body {}

    /** A small body sent with Content-Length. */
    record Bytes(String contentType, byte[] bytes) implements Body {}

    /** A body of unknown length (an archive), sent chunked. */
    record Stream(String contentType, InputStream in) implements Body {}

    /** A body written while it is sent (a build context tarred as it goes), chunked. */
    record Written(String contentType, Writer writer) implements Body {}

    /** Writes a body into the request. */
    interface Writer {
      void writeTo(OutputStream out) throws IOException;
    }
  }

  /** Sends a request; the caller reads and closes the response. */
  public Response request(String method, String path, byte[] jsonBody) throws IOException {
    return send(method, path, Map.of(), jsonBody == null ? new Body.None() : new Body.Bytes("application/json", jsonBody));
  }

  /** Sends a request to a versioned API path ({@code /images/json}); the caller closes the response. */
  public Response call(String method, String path, Map<String, String> headers, Body body) {
    try {
      return send(method, apiPrefix + path, headers, body);
    } catch (IOException e) {
      throw new UncheckedIOException("talking to the daemon at " + address + ": " + e.getMessage(), e);
    }
  }

  /** Like {@link #call}, but an error status becomes a {@link DaemonException}. */
  public Response callChecked(String method, String path, Map<String, String> headers, Body body) {
    Response r = call(method, path, headers, body);
    try {
      checked(r);
      return r;
    } catch (IOException e) {
      closeQuietly(r);
      throw new UncheckedIOException("talking to the daemon at " + address + ": " + e.getMessage(), e);
    } catch (RuntimeException e) {
      closeQuietly(r);
      throw e;
    }
  }

  /** A JSON answer from a versioned path; error statuses become {@link DaemonException}. */
  public JsonNode json(String method, String path, Object jsonBody) {
    Body body = jsonBody == null ? new Body.None() : new Body.Bytes("application/json", Json.bytes(jsonBody));
    try (Response r = callChecked(method, path, Map.of(), body)) {
      byte[] bytes = r.bytes();
      return bytes.length == 0 ? Json.tree(null) : Json.parse(bytes);
    } catch (IOException e) {
      throw new UncheckedIOException("talking to the daemon at " + address + ": " + e.getMessage(), e);
    }
  }

  private static void closeQuietly(Response r) {
    try {
      r.close();
    } catch (IOException ignored) {
      // reporting the first error matters more
    }
  }

  private Response send(String method, String path, Map<String, String> headers, Body body) throws IOException {
    Connection channel = open();
    try {
      InputStream in = channel.input();
      OutputStream out = channel.output();
      BasicClassicHttpRequest request = new BasicClassicHttpRequest(method, path);
      request.setHeader(HttpHeaders.HOST, "berth");
      request.setHeader(HttpHeaders.USER_AGENT, "berth-cli");
      request.setHeader(HttpHeaders.CONNECTION, "close");
      headers.forEach(request::setHeader);
      // instanceof, not a pattern switch: each pattern switch generates a class on its first run
      // (SwitchBootstraps), a few ms of every CLI command.
      if (body instanceof Body.Bytes b) {
        request.setHeader(HttpHeaders.CONTENT_TYPE, b.contentType());
        request.setHeader(HttpHeaders.CONTENT_LENGTH, Integer.toString(b.bytes().length));
      } else if (body instanceof Body.Stream st) {
        request.setHeader(HttpHeaders.CONTENT_TYPE, st.contentType());
        request.setHeader(HttpHeaders.TRANSFER_ENCODING, "chunked");
      } else if (body instanceof Body.Written w) {
        request.setHeader(HttpHeaders.CONTENT_TYPE, w.contentType());
        request.setHeader(HttpHeaders.TRANSFER_ENCODING, "chunked");
      }
      SessionOutputBufferImpl outBuffer = new SessionOutputBufferImpl(8192);
      new DefaultHttpRequestWriter().write(request, outBuffer, out);
      if (body instanceof Body.Bytes b) {
        outBuffer.write(b.bytes(), out);
      } else if (body instanceof Body.Stream st) {
        try (ChunkedOutputStream chunked = new ChunkedOutputStream(outBuffer, out, 64 * 1024)) {
          st.in().transferTo(chunked);
        }
      } else if (body instanceof Body.Written w) {
        try (ChunkedOutputStream chunked = new ChunkedOutputStream(outBuffer, out, 64 * 1024)) {
          w.writer().writeTo(chunked);
        }
      }
      outBuffer.flush(out);
      SessionInputBufferImpl inBuffer = new SessionInputBufferImpl(8192);
      ClassicHttpResponse response = new DefaultHttpResponseParser().parse(inBuffer, in);
      if (response == null) {
        throw new IOException("the daemon closed the connection without answering");
      }
      return new Response(response.getCode(), response, body(method, response, inBuffer, in), channel);
    } catch (HttpException e) {
      channel.close();
      throw new IOException("bad HTTP response from the daemon: " + e.getMessage(), e);
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
  }

  private static InputStream body(String method, ClassicHttpResponse response, SessionInputBufferImpl buffer,
      InputStream in) {
    int code = response.getCode();
    if (method.equals("HEAD") || code == 204 || code == 304) {
      return EmptyInputStream.INSTANCE;
    }
    Header te = response.getFirstHeader(HttpHeaders.TRANSFER_ENCODING);
    if (te != null && te.getValue().equalsIgnoreCase("chunked")) {
      return new ChunkedInputStream(buffer, in);
    }
    Header length = response.getFirstHeader(HttpHeaders.CONTENT_LENGTH);
    if (length != null) {
      return new ContentLengthInputStream(buffer, in, Long.parseLong(length.getValue().strip()));
    }
    return new IdentityInputStream(buffer, in);
  }

  private Connection open() {
    try {
      if (tls != null && address instanceof DaemonAddress.Tcp tcp) {
        if (tlsConnector == null) {
          tlsConnector = TlsConnector.of(tls);
        }
        return tlsConnector.open(tcp);
      }
      return Connection.Plain.open(address);
    } catch (IOException e) {
      throw new DaemonUnreachableException(address, e);
    }
  }

  /** The body of a successful response, or a {@link DaemonException} carrying the daemon's message. */
  static InputStream checked(Response r) throws IOException {
    if (r.status() >= 200 && r.status() < 300) {
      return r.body();
    }
    byte[] bytes = r.bytes();
    String message;
    try {
      JsonNode node = Json.parse(bytes);
      message = node != null && node.hasNonNull("message") ? node.get("message").asText()
          : new String(bytes, StandardCharsets.UTF_8).strip();
    } catch (IOException e) {
      message = new String(bytes, StandardCharsets.UTF_8).strip();
    }
    throw new DaemonException(r.status(), message);
  }

  /** Encodes query parameters, skipping null values. */
  public static String query(Map<String, String> params) {
    StringBuilder sb = new StringBuilder();
    params.forEach((k, v) -> {
      if (v != null) {
        sb.append(sb.isEmpty() ? '?' : '&').append(URLEncoder.encode(k, StandardCharsets.UTF_8))
            .append('=').append(URLEncoder.encode(v, StandardCharsets.UTF_8));
      }
    });
    return sb.toString();
  }
}

package dev.berth.daemon.console;

import dev.berth.daemon.http.ApiRequest;
import dev.berth.daemon.http.ApiResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.zip.GZIPOutputStream;

/**
 * The console's files, served from the jar: its own page, script and style (under
 * {@code dev/berth/daemon/console/static/}) and the WebJars' files ({@code /webjars/NAME/VERSION/...}).
 * Each is read once, hashed for its ETag and gzipped for clients that accept it. Files whose URL
 * names their version (WebJars; ours carry {@code ?v=HASH}, written into the page) are
 * immutable for a year; the page itself is revalidated every time.
 */
final class StaticAssets {
  private static final String OWN = "dev/berth/daemon/console/static/";
  private static final String WEBJARS = "META-INF/resources/webjars/";
  static final String IMMUTABLE = "public, max-age=31536000, immutable";
  private static final String REVALIDATE = "no-cache";
  private static final Map<String, String> TYPES = Map.of(
      "html", "text/html; charset=utf-8",
      "js", "text/javascript; charset=utf-8",
      "css", "text/css; charset=utf-8",
      "svg", "image/svg+xml",
      "json", "application/json",
      "png", "image/png",
      "ico", "image/x-icon");

  /** One file, ready to send. */
  record Asset(byte[] raw, byte[] gzipped, String etag, String contentType) {}

  private final ClassLoader loader = StaticAssets.class.getClassLoader();
  private final Map<String, Optional<Asset>> cache = new ConcurrentHashMap<>();
  private final Asset page;

  StaticAssets() {
    String html = new String(own("index.html").orElseThrow(() -> new IllegalStateException("console page missing")).raw(),
        StandardCharsets.UTF_8);
    // Our own files get their hash in the URL, so the browser may keep them for good.
    for (String name : new String[] {"app.js", "app.css"}) {
      Asset a = own(name).orElseThrow(() -> new IllegalStateException("console file missing: " + name));
      html = html.replace("/assets/" + name + "\"", "/assets/" + name + "?v=" + a.etag().replace("\"", "") + "\"");
    }
    page = asset(html.getBytes(StandardCharsets.UTF_8), "html");
  }

  /** Serves {@code path} (GET): true when it was one of ours, false for an unknown path. */
  boolean serve(String path, ApiRequest req, ApiResponse res) throws IOException {
    Asset asset;
    String cacheControl;
    if (path.equals("/") || path.equals("/index.html")) {
      asset = page;
      cacheControl = REVALIDATE;
    } else if (path.startsWith("/assets/") && safe(path)) {
      Optional<Asset> found = own(path.substring("/assets/".length()));
      if (found.isEmpty()) {
        return false;
      }
      asset = found.get();
      String v = req.query("v").orElse("");
      cacheControl = asset.etag().equals("\"" + v + "\"") ? IMMUTABLE : REVALIDATE;
    } else if (path.startsWith("/webjars/") && safe(path)) {
      Optional<Asset> found = load(WEBJARS + path.substring("/webjars/".length()));
      if (found.isEmpty()) {
        return false;
      }
      asset = found.get();
      cacheControl = IMMUTABLE;
    } else {
      return false;
    }
    res.header("ETag", asset.etag()).header("Cache-Control", cacheControl).header("Vary", "Accept-Encoding");
    if (req.header("If-None-Match").map(v -> v.contains(asset.etag())).orElse(false)) {
      res.empty(304);
      return true;
    }
    boolean gzip = asset.gzipped() != null
        && req.header("Accept-Encoding").map(v -> v.contains("gzip")).orElse(false);
    if (gzip) {
      res.header("Content-Encoding", "gzip");
    }
    res.bytes(200, asset.contentType(), gzip ? asset.gzipped() : asset.raw());
    return true;
  }

  /** No way out of the two roots: no {@code ..}, no backslashes, no empty segments. */
  private static boolean safe(String path) {
    return !path.contains("..") && !path.contains("\\") && !path.contains("//") && !path.endsWith("/");
  }

  private Optional<Asset> own(String name) {
    return load(OWN + name);
  }

  private Optional<Asset> load(String resource) {
    return cache.computeIfAbsent(resource, r -> {
      try (InputStream in = loader.getResourceAsStream(r)) {
        if (in == null) {
          return Optional.empty();
        }
        String ext = r.substring(r.lastIndexOf('.') + 1);
        return Optional.of(asset(in.readAllBytes(), ext));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
  }

  private static Asset asset(byte[] raw, String ext) {
    String type = TYPES.getOrDefault(ext, "application/octet-stream");
    boolean text = type.startsWith("text/") || type.startsWith("application/json") || type.startsWith("image/svg");
    return new Asset(raw, text && raw.length > 512 ? gzip(raw) : null, etag(raw), type);
  }

  private static String etag(byte[] raw) {
    try {
      byte[] sha = MessageDigest.getInstance("SHA-256").digest(raw);
      return "\"" + HexFormat.of().formatHex(sha, 0, 12) + "\"";
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] gzip(byte[] raw) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(raw.length / 3);
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(raw);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }
}

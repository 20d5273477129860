package dev.berth.daemon.api.docker;

import dev.berth.daemon.http.ApiRequest;
import dev.berth.daemon.http.ApiResponse;
import dev.berth.daemon.http.Json;
import dev.berth.daemon.http.Router;
import dev.berth.engine.BerthException;
import dev.berth.engine.Engine;
import dev.berth.engine.container.ContainerCommitter;
import dev.berth.engine.filesystem.OverlayChanges;
import dev.berth.engine.filesystem.PathStat;
import dev.berth.engine.image.Image;
import dev.berth.engine.image.Reference;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A container's files over the Docker API: {@code /containers/{id}/archive} (HEAD, GET, PUT),
 * {@code /containers/{id}/export}, {@code /containers/{id}/changes} and {@code POST /commit}.
 */
public final class ContainerFileRoutes {
  static final String PATH_STAT_HEADER = "X-Docker-Container-Path-Stat";
  private static final String TAR = "application/x-tar";

  private final Engine engine;

  public ContainerFileRoutes(Engine engine) {
    this.engine = engine;
  }

  public void register(Router router) {
    router.head("/containers/{id}/archive", this::statPath);
    router.get("/containers/{id}/archive", this::archive);
    router.put("/containers/{id}/archive", this::extract);
    router.get("/containers/{id}/export", this::export);
    router.get("/containers/{id}/changes", this::changes);
    router.post("/commit", this::commit);
  }

  private static String path(ApiRequest req) {
    String path = req.query("path").filter(p -> !p.isEmpty())
        .orElseThrow(() -> new BerthException.InvalidArgument("path is required: name a file or directory in the container"));
    if (path.indexOf('\0') >= 0) { // no file name holds a NUL; java.nio would throw InvalidPathException (a 500)
      throw new BerthException.InvalidArgument("path must not contain a NUL character: name a file or directory in the container");
    }
    return path;
  }

  private void statPath(ApiRequest req, ApiResponse res) throws IOException {
    PathStat stat = engine.containerFiles().stat(req.pathParam("id"), path(req));
    res.header(PATH_STAT_HEADER, statHeader(stat)).empty(200);
  }

  private void archive(ApiRequest req, ApiResponse res) throws IOException {
    engine.containerFiles().archive(req.pathParam("id"), path(req),
        stat -> res.header(PATH_STAT_HEADER, statHeader(stat)).stream(200, TAR));
  }

  private void extract(ApiRequest req, ApiResponse res) throws IOException {
    engine.containerFiles().extract(req.pathParam("id"), path(req), req.body(), req.queryFlag("noOverwriteDirNonDir"),
        req.queryFlag("copyUIDGID"));
    res.empty(200);
  }

  private void export(ApiRequest req, ApiResponse res) throws IOException {
    String id = req.pathParam("id");
    engine.containers().find(id); // a missing container is a 404, not an empty stream
    // The stream opens lazily, so a failure to mount the rootfs is still an error status.
    // dockerd's type for an export (the archive endpoint's is x-tar)
    engine.containerFiles().export(id, new LazyStream(() -> res.stream(200, "application/octet-stream")));
  }

  private void changes(ApiRequest req, ApiResponse res) throws IOException {
    List<Map<String, Object>> out = engine.containerFiles().changes(req.pathParam("id")).stream()
        .map(ContainerFileRoutes::change).toList();
    res.json(200, out);
  }

  private static Map<String, Object> change(OverlayChanges.Change c) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("Path", c.path());
    m.put("Kind", c.kindCode());
    return m;
  }

  private void commit(ApiRequest req, ApiResponse res) throws IOException {
    String container = req.query("container").filter(s -> !s.isEmpty())
        .orElseThrow(() -> new BerthException.InvalidArgument("container is required: name the container to commit"));
    Optional<Reference> tag = req.query("repo").filter(s -> !s.isEmpty())
        .map(repo -> Reference.parse(req.query("tag").filter(t -> !t.isEmpty()).map(t -> repo + ":" + t).orElse(repo)));
    boolean pause = req.query("pause").map(v -> req.queryFlag("pause")).orElse(true);
    List<String> changes = req.queryAll("changes").stream().flatMap(c -> c.lines()).filter(l -> !l.isBlank()).toList();
    Image image = engine.committer().commit(new ContainerCommitter.Request(container, tag,
        req.query("comment").orElse(""), req.query("author").orElse(""), pause, changes));
    res.json(201, Map.of("Id", image.id().toString()));
  }

  /** The header's value: base64 of {name, size, mode (Go os.FileMode), mtime, linkTarget}. */
  static String statHeader(PathStat s) throws IOException {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", s.name());
    m.put("size", s.size());
    m.put("mode", s.mode());
    m.put("mtime", s.mtime().toString());
    m.put("linkTarget", s.linkTarget());
    return Base64.getEncoder().encodeToString(Json.MAPPER.writeValueAsBytes(m));
  }

  /** Opens the real response at the first write. */
  private static final class LazyStream extends OutputStream {
    interface Opener {
      OutputStream open() throws IOException;
    }

    private final Opener opener;
    private OutputStream out;

    LazyStream(Opener opener) {
      this.opener = opener;
    }

    private OutputStream out() throws IOException {
      if (out == null) {
        out = opener.open();
      }
      return out;
    }

    @Override
    public void write(int b) throws IOException {
      out().write(b);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out().write(b, off, len);
    }

    @Override
    public void flush() throws IOException {
      if (out != null) {
        out.flush();
      }
    }

    @Override
    public void close() throws IOException {
      out().close();
    }
  }
}

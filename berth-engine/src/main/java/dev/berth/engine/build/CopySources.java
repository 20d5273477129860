package dev.berth.engine.build;

import dev.berth.engine.build.dockerfile.Expander;
import dev.berth.engine.build.dockerfile.Heredoc;
import dev.berth.engine.content.Digest;
import dev.berth.engine.filesystem.ContextIndex;
import dev.berth.engine.image.Image;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The sources of one COPY/ADD, found before the cache is asked (their digest is part of the
 * key): context paths (wildcards, .dockerignore), here-documents, ADD's URLs (downloaded, checked
 * against {@code --checksum}) or, with {@code --from}, paths in a stage's or an image's rootfs.
 */
final class CopySources {
  private final BuildService.Parts parts;
  private final BuildRequest req;
  private final Predicate<String> excluded;
  private final Expander expander;

  CopySources(BuildService.Parts parts, BuildRequest req, Predicate<String> excluded, Expander expander,
      BuildCancel cancel) {
    this.parts = parts;
    this.req = req;
    this.excluded = excluded;
    this.expander = expander;
  }

  /** Sources ready to write; {@link #close()} drops downloaded files. */
  interface Prepared extends AutoCloseable {
    int count();

    String description();

    String digest();

    void writeInto(Path rootfs, String dest, CopyFiles.Owner owner, OptionalInt chmod) throws IOException;

    @Override
    void close();
  }

  Prepared prepare(String what, List<String> sources, Optional<String> from, List<Heredoc> heredocs,
      Map<String, String> vars, boolean add, Optional<String> checksum, Function<String, Optional<Image>> stage,
      boolean explicitOwner) {
    try {
      if (from.isPresent()) {
        return fromImage(what, sources, from.get(), stage, explicitOwner);
      }
      return fromContext(what, sources, heredocs, vars, add, checksum);
    } catch (IOException e) {
      throw new BuildException(what + " failed: " + e.getMessage(), 1, e);
    }
  }

  private Prepared fromContext(String what, List<String> sources, List<Heredoc> heredocs, Map<String, String> vars,
      boolean add, Optional<String> checksum) throws IOException {
    Optional<ContextIndex> index = req.context().index();
    IndexedSources indexed = index.map(i -> new IndexedSources(i, excluded)).orElse(null);
    // Sources are found and hashed from the spooled tar's index; the files are extracted only
    // when the step runs (a cache miss) or a link on a source's way must be followed on disk.
    List<Function<Path, CopyFiles.Source>> resolved = new ArrayList<>();
    SourceDigest digest = new SourceDigest(p -> false);
    List<Path> downloads = new ArrayList<>();
    if (checksum.isPresent() && sources.stream().noneMatch(CopySources::isUrl)) {
      throw new BuildException("checksum can't be specified for non-HTTP(S) sources");
    }
    for (String s : sources) {
      if (isUrl(s)) {
        if (!add) {
          throw new BuildException("source can't be a URL for COPY");
        }
        CopyFiles.Source.Bytes b = download(s, checksum);
        digest.add("url:" + s, b.data());
        resolved.add(dir -> b);
        continue;
      }
      List<String> found = new ArrayList<>();
      try {
        if (indexed == null) {
          throw new IndexedSources.NeedsDisk();
        }
        List<ContextIndex.Entry> entries = indexed.resolve(s, what);
        if (entries.isEmpty()) {
          throw new BuildException(what + " failed: no source files were specified");
        }
        for (ContextIndex.Entry e : entries) {
          digest.add(e.path(), index.get(), e, excluded);
          found.add(e.path());
        }
      } catch (IndexedSources.NeedsDisk onDisk) {
        Path dir = req.context().directory();
        ContextSources ctx = new ContextSources(dir, excluded);
        List<Path> paths = ctx.resolve(s, what);
        if (paths.isEmpty()) {
          throw new BuildException(what + " failed: no source files were specified");
        }
        for (Path p : paths) {
          String rel = dir.relativize(p).toString();
          digest.add(rel, p, ctx::excludedPath);
          found.add(rel);
        }
      }
      for (String rel : found) {
        resolved.add(dir -> new CopyFiles.Source.OnHost(rel.isEmpty() ? dir : dir.resolve(rel)));
      }
    }
    for (Heredoc h : heredocs) {
      String content = h.expand() ? expander.expand(h.content(), vars) : h.content();
      byte[] data = content.getBytes(StandardCharsets.UTF_8);
      digest.add("heredoc:" + h.name(), data);
      CopyFiles.Source.Bytes b = new CopyFiles.Source.Bytes(h.name(), data, 0644, Optional.empty());
      resolved.add(dir -> b);
    }
    int count = resolved.size();
    String description = String.join(" ", sources) + (heredocs.isEmpty() ? ""
        : " " + String.join(" ", heredocs.stream().map(h -> "<<" + h.name()).toList()));
    String hex = digest.hex();
    return new Prepared() {
      public int count() {
        return count;
      }

      public String description() {
        return description;
      }

      public String digest() {
        return hex;
      }

      public void writeInto(Path rootfs, String dest, CopyFiles.Owner owner, OptionalInt chmod) throws IOException {
        Path dir = req.context().directory();
        List<CopyFiles.Source> files = resolved.stream().map(r -> r.apply(dir)).toList();
        new CopyFiles(rootfs, owner, chmod, new ContextSources(dir, excluded)::excludedPath).copy(files, dest, add);
      }

      public void close() {
        downloads.forEach(p -> p.toFile().delete());
      }
    };
  }

  private Prepared fromImage(String what, List<String> sources, String from,
      Function<String, Optional<Image>> stage, boolean explicitOwner) {
    Image source = stage.apply(from).orElseGet(() -> parts.images().resolve(from, false, req.authForRegistry()));
    String hex = Digest.of(("from " + source.id() + "\n" + String.join("\n", sources))
        .getBytes(StandardCharsets.UTF_8)).hex();
    String description = "--from=" + from + " " + String.join(" ", sources);
    return new Prepared() {
      public int count() {
        return sources.size();
      }

      public String description() {
        return description;
      }

      public String digest() {
        return hex;
      }

      public void writeInto(Path rootfs, String dest, CopyFiles.Owner owner, OptionalInt chmod) throws IOException {
        parts.containers().withImageRootfs(source, (c, sourceRoot) -> {
          ContextSources in = new ContextSources(sourceRoot, rel -> false);
          List<CopyFiles.Source> resolved = new ArrayList<>();
          for (String s : sources) {
            List<Path> paths = in.resolve(s, what);
            if (paths.isEmpty()) {
              throw new BuildException(what + " failed: no source files were specified");
            }
            paths.forEach(p -> resolved.add(new CopyFiles.Source.OnHost(p)));
          }
          if (resolved.size() > 1 && !dest.endsWith("/")) {
            throw new BuildException("When using " + what + " with more than one source file, the destination "
                + "must be a directory and end with a /");
          }
          CopyFiles.Owner o = owner.equals(CopyFiles.Owner.ROOT) && !explicitOwner ? CopyFiles.Owner.KEEP : owner;
          new CopyFiles(rootfs, o, chmod, p -> false).copy(resolved, dest, false);
          return null;
        });
      }

      public void close() {}
    };
  }

  static boolean isUrl(String s) {
    return s.startsWith("http://") || s.startsWith("https://");
  }

  /** ADD of a URL: fetched whole (mode 0600, mtime from Last-Modified, as Docker), checked against --checksum. */
  private CopyFiles.Source.Bytes download(String url, Optional<String> checksum) throws IOException {
    HttpClient client = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL)
        .connectTimeout(Duration.ofSeconds(30)).build();
    HttpResponse<byte[]> resp;
    try {
      resp = client.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofMinutes(10)).GET().build(),
          HttpResponse.BodyHandlers.ofByteArray());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BuildException("ADD of " + url + " was interrupted");
    } catch (IllegalArgumentException e) {
      throw new BuildException("ADD failed: invalid URL " + url + ": " + e.getMessage());
    }
    if (resp.statusCode() >= 400) {
      throw new BuildException("failed to GET " + url + " with status " + resp.statusCode() + ": "
          + (resp.statusCode() == 404 ? "404 Not Found" : "HTTP " + resp.statusCode()));
    }
    byte[] data = resp.body();
    if (checksum.isPresent()) {
      String want = checksum.get();
      String got = Digest.of(data).toString();
      if (!want.startsWith("sha256:")) {
        throw new BuildException("unsupported checksum algorithm in " + want + ": only sha256 is supported");
      }
      if (!want.equals(got)) {
        throw new BuildException("digest mismatch " + got + ": " + want);
      }
    }
    String path = URI.create(url).getPath();
    String name = path == null || path.isEmpty() || path.endsWith("/") ? "index.html"
        : path.substring(path.lastIndexOf('/') + 1);
    Optional<FileTime> mtime = resp.headers().firstValue("Last-Modified").map(v -> {
      try {
        return FileTime.from(ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
      } catch (RuntimeException e) {
        return null;
      }
    });
    return new CopyFiles.Source.Bytes(name, data, 0600, mtime);
  }
}

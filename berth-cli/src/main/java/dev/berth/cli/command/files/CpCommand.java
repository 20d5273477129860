package dev.berth.cli.command.files;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.cli.BerthCli;
import dev.berth.cli.client.DaemonClient;
import dev.berth.cli.client.DaemonException;
import dev.berth.cli.json.Json;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code berth cp}: files between a container and the local file system, docker's rules and messages. */
@Command(name = "cp", mixinStandardHelpOptions = true,
    description = {"Copy files/folders between a container and the local filesystem", "",
        "Use '-' as the source to read a tar archive from stdin and extract it to a directory destination in a "
            + "container.", "Use '-' as the destination to stream a tar archive of a container source to stdout."},
    customSynopsis = {"berth cp [OPTIONS] CONTAINER:SRC_PATH DEST_PATH|-",
        "       berth cp [OPTIONS] SRC_PATH|- CONTAINER:DEST_PATH"})
public final class CpCommand implements Callable<Integer> {
  private static final long GO_DIR = 1L << 31;

  @Option(names = {"-a", "--archive"}, description = "Archive mode (copy all uid/gid information)") boolean archive;
  @Option(names = {"-L", "--follow-link"}, description = "Always follow symbol link in SRC_PATH") boolean followLink;
  @Option(names = {"-q", "--quiet"}, description = "Suppress progress output during copy") boolean quiet;
  @Parameters(index = "0", paramLabel = "SRC") String source;
  @Parameters(index = "1", paramLabel = "DEST") String destination;
  @Spec CommandSpec spec;

  /** A container path as the API returns its stat. */
  record Stat(String name, long size, long mode, String linkTarget) {
    boolean isDir() {
      return (mode & GO_DIR) != 0;
    }
  }

  @Override
  public Integer call() throws Exception {
    String[] src = split(source);
    String[] dst = split(destination);
    if (src[0] != null && dst[0] != null) {
      throw new IllegalArgumentException("copying between containers is not supported");
    }
    if (src[0] == null && dst[0] == null) {
      throw new IllegalArgumentException("must specify at least one container source");
    }
    DaemonClient client = BerthCli.from(spec).client();
    if (src[0] != null) {
      fromContainer(client, src[0], src[1], dst[1]);
    } else {
      toContainer(client, src[1], dst[0], dst[1]);
    }
    return 0;
  }

  /** "name:path" → {name, path}; a local path (absolute, relative with "./", or without ':') has no container. */
  static String[] split(String arg) {
    if (arg.equals("-") || arg.startsWith("/") || arg.startsWith(".")) {
      return new String[] {null, arg};
    }
    int colon = arg.indexOf(':');
    if (colon <= 0) {
      return new String[] {null, arg};
    }
    return new String[] {arg.substring(0, colon), arg.substring(colon + 1)};
  }

  private void fromContainer(DaemonClient client, String container, String path, String dest) throws IOException {
    Stat stat = stat(client, container, path).orElseThrow(() -> new DaemonException(404,
        "Could not find the file " + path + " in container " + container));
    String srcPath = path;
    if (followLink && !stat.linkTarget().isEmpty()) {
      srcPath = stat.linkTarget();
      stat = stat(client, container, srcPath).orElseThrow();
    }
    try (DaemonClient.Response r = client.callChecked("GET", archivePath(container, srcPath, Map.of()), Map.of(),
        new DaemonClient.Body.None())) {
      if (dest.equals("-")) {
        OutputStream stdout = new FileOutputStream(FileDescriptor.out);
        try {
          r.body().transferTo(stdout);
          stdout.flush();
        } catch (IOException readerGone) {
          // stdout closed early (| head): the reader wanted no more, as with docker
        }
        return;
      }
      Path target = Path.of(dest);
      boolean contents = srcPath.endsWith("/.") || stat.name().equals(".") || stat.name().equals("/");
      long bytes;
      if (Files.isDirectory(target)) {
        bytes = LocalTar.extract(r.body(), target, null, archive);
      } else {
        if (Files.exists(target, LinkOption.NOFOLLOW_LINKS) && stat.isDir()) {
          throw new IllegalArgumentException("cannot copy a directory to a file: " + dest);
        }
        if (dest.endsWith("/") && !stat.isDir()) {
          throw new IllegalArgumentException("destination directory " + dest + " does not exist");
        }
        Path parent = target.toAbsolutePath().getParent();
        if (!Files.isDirectory(parent)) {
          throw new IllegalArgumentException("no such directory: " + parent);
        }
        if (contents) {
          Files.createDirectory(target);
          bytes = LocalTar.extract(r.body(), target, null, archive);
        } else {
          bytes = LocalTar.extract(r.body(), parent, target.getFileName().toString(), archive);
        }
      }
      done(bytes, dest);
    }
  }

  private void toContainer(DaemonClient client, String src, String container, String path) throws IOException {
    if (src.equals("-")) {
      try (DaemonClient.Response r = client.callChecked("PUT", archivePath(container, path, flags()), Map.of(),
          new DaemonClient.Body.Stream("application/x-tar", System.in))) {
        r.bytes();
      }
      return;
    }
    Path local = Path.of(src);
    if (!Files.exists(local, LinkOption.NOFOLLOW_LINKS)) {
      throw new IllegalArgumentException("lstat " + local.toAbsolutePath() + ": no such file or directory");
    }
    if (followLink && Files.isSymbolicLink(local)) {
      local = local.toRealPath();
    }
    boolean srcDir = Files.isDirectory(local, LinkOption.NOFOLLOW_LINKS);
    String dstPath = path;
    var dstStat = stat(client, container, dstPath);
    if (dstStat.isPresent() && !dstStat.get().linkTarget().isEmpty()) {
      dstPath = dstStat.get().linkTarget();
      dstStat = stat(client, container, dstPath);
    }
    String putPath;
    String rootName;
    if (dstStat.isPresent() && dstStat.get().isDir()) {
      putPath = dstPath;
      rootName = src.endsWith("/.") ? "." : local.getFileName().toString();
    } else if (dstStat.isPresent()) {
      if (srcDir) {
        throw new IllegalArgumentException("cannot copy a directory to a file: " + destination);
      }
      putPath = parentOf(dstPath);
      rootName = baseOf(dstPath);
    } else {
      if (path.endsWith("/") && !srcDir) {
        throw new IllegalArgumentException("destination directory " + container + ":" + path + " does not exist");
      }
      putPath = parentOf(dstPath);
      rootName = baseOf(dstPath);
    }
    PipedInputStream pipeIn = new PipedInputStream(64 * 1024);
    PipedOutputStream pipeOut = new PipedOutputStream(pipeIn);
    Path from = local;
    long[] bytes = {0};
    IOException[] failed = {null};
    Thread writer = Thread.ofVirtual().start(() -> {
      try (pipeOut) {
        bytes[0] = LocalTar.write(from, rootName, pipeOut);
      } catch (IOException e) {
        failed[0] = e;
      }
    });
    try (DaemonClient.Response r = client.callChecked("PUT", archivePath(container, putPath, flags()), Map.of(),
        new DaemonClient.Body.Stream("application/x-tar", pipeIn))) {
      r.bytes();
    } finally {
      pipeIn.close();
      try {
        writer.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (failed[0] != null) {
      throw new java.io.UncheckedIOException("reading " + src + ": " + failed[0].getMessage(), failed[0]);
    }
    done(bytes[0], container + ":" + path);
  }

  private Map<String, String> flags() {
    Map<String, String> q = new LinkedHashMap<>();
    q.put("noOverwriteDirNonDir", "true");
    if (archive) {
      q.put("copyUIDGID", "true");
    }
    return q;
  }

  private void done(long bytes, String where) {
    if (!quiet) {
      spec.commandLine().getErr().println("Successfully copied " + size(bytes) + " to " + where);
      spec.commandLine().getErr().flush();
    }
  }

  /** The stat of a container path; empty when it does not exist. */
  static java.util.Optional<Stat> stat(DaemonClient client, String container, String path) throws IOException {
    try (DaemonClient.Response r = client.call("HEAD", archivePath(container, path, Map.of()), Map.of(),
        new DaemonClient.Body.None())) {
      if (r.status() == 404) {
        // Both a missing container and a missing path are 404; the container's existence tells them apart.
        client.json("GET", "/containers/" + enc(container) + "/json", null);
        return java.util.Optional.empty();
      }
      if (r.status() >= 300) {
        throw new DaemonException(r.status(), "cannot stat " + container + ":" + path + " (status " + r.status() + ")");
      }
      String header = r.header("X-Docker-Container-Path-Stat");
      JsonNode n = Json.parse(Base64.getDecoder().decode(header));
      return java.util.Optional.of(new Stat(n.path("name").asText(), n.path("size").asLong(), n.path("mode").asLong(),
          n.path("linkTarget").asText("")));
    }
  }

  static String archivePath(String container, String path, Map<String, String> extra) {
    Map<String, String> q = new LinkedHashMap<>();
    q.put("path", path);
    q.putAll(extra);
    return "/containers/" + enc(container) + "/archive" + DaemonClient.query(q);
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  static String parentOf(String path) {
    String p = path.replaceAll("/+$", "");
    int slash = p.lastIndexOf('/');
    return slash <= 0 ? "/" : p.substring(0, slash);
  }

  static String baseOf(String path) {
    String p = path.replaceAll("/+$", "");
    return p.substring(p.lastIndexOf('/') + 1);
  }

  /** Docker's decimal sizes ("2.05kB"). */
  static String size(long bytes) {
    return dev.berth.cli.output.Units.bytesDecimal(bytes);
  }


}

package dev.berth.cli.command.image;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.cli.auth.Credentials;
import dev.berth.cli.build.BuildOutput;
import dev.berth.cli.build.ContextTar;
import dev.berth.cli.build.DockerIgnore;
import dev.berth.cli.client.DaemonClient;
import dev.berth.cli.client.DaemonException;
import dev.berth.cli.command.container.ContainerOptions;
import dev.berth.cli.json.Json;
import dev.berth.cli.output.Units;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.CompressorException;
import org.apache.commons.compress.compressors.CompressorStreamFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code berth build}: docker's classic build. The context directory is tarred while it is
 * sent (.dockerignore applied here, as the docker CLI does); a Dockerfile outside the context
 * (or {@code -f -}) travels in the tar as {@code .dockerfile.<random>}, named in the
 * .dockerignore so the daemon drops it from the context, exactly as docker sends it.
 */
@Command(name = "build", mixinStandardHelpOptions = true, description = "Build an image from a Dockerfile",
    sortOptions = false)
public final class BuildCommand implements Callable<Integer> {
  @Parameters(paramLabel = "PATH | -", arity = "1", description = "The build context: a directory, or - for a tar or a Dockerfile on STDIN")
  String context;

  @Option(names = {"-t", "--tag"}, paramLabel = "NAME[:TAG]", description = "Name and optionally a tag in the 'name:tag' format")
  List<String> tags = new ArrayList<>();

  @Option(names = {"-f", "--file"}, paramLabel = "PATH", description = "Name of the Dockerfile (default: 'PATH/Dockerfile'; - reads it from STDIN)")
  String file;

  @Option(names = "--build-arg", paramLabel = "KEY[=VAL]", description = "Set build-time variables (KEY alone takes its value from the environment)")
  List<String> buildArgs = new ArrayList<>();

  @Option(names = "--target", paramLabel = "STAGE", description = "Set the target build stage to build")
  String target;

  @Option(names = "--no-cache", description = "Do not use cache when building the image")
  boolean noCache;

  @Option(names = "--pull", description = "Always attempt to pull a newer version of the image")
  boolean pull;

  @Option(names = "--label", paramLabel = "KEY[=VAL]", description = "Set metadata for an image")
  List<String> labels = new ArrayList<>();

  @Option(names = "--network", paramLabel = "MODE", description = "Set the networking mode for the RUN instructions during build (default \"default\")")
  String network;

  @Option(names = "--add-host", paramLabel = "HOST:IP", description = "Add a custom host-to-IP mapping (host:ip)")
  List<String> addHosts = new ArrayList<>();

  @Option(names = {"-q", "--quiet"}, description = "Suppress the build output and print image ID on success")
  boolean quiet;

  @Option(names = "--iidfile", paramLabel = "FILE", description = "Write the image ID to the file")
  Path iidFile;

  @Option(names = "--progress", paramLabel = "TYPE", defaultValue = "auto",
      description = "Set type of progress output (auto, plain, tty): auto is tty on a terminal")
  String progress;

  @Option(names = "--rm", arity = "0..1", fallbackValue = "true", defaultValue = "true", paramLabel = "BOOL",
      description = "Remove intermediate containers after a successful build (default true)")
  boolean rm;

  @Option(names = "--force-rm", description = "Always remove intermediate containers")
  boolean forceRm;

  @Option(names = "--shm-size", paramLabel = "BYTES", description = "Size of /dev/shm")
  String shmSize;

  @Option(names = {"-m", "--memory"}, paramLabel = "BYTES", description = "Memory limit")
  String memory;

  @Option(names = "--memory-swap", paramLabel = "BYTES", description = "Swap limit equal to memory plus swap: -1 to enable unlimited swap")
  String memorySwap;

  @Option(names = {"-c", "--cpu-shares"}, paramLabel = "INT", description = "CPU shares (relative weight)")
  Long cpuShares;

  @Option(names = "--cpuset-cpus", paramLabel = "CPUS", description = "CPUs in which to allow execution (0-3, 0,1)")
  String cpusetCpus;

  @Option(names = "--cpu-period", paramLabel = "INT", description = "Limit the CPU CFS (Completely Fair Scheduler) period")
  Long cpuPeriod;

  @Option(names = "--cpu-quota", paramLabel = "INT", description = "Limit the CPU CFS (Completely Fair Scheduler) quota")
  Long cpuQuota;

  @Option(names = "--ulimit", paramLabel = "NAME=SOFT[:HARD]", description = "Ulimit options")
  List<String> ulimits = new ArrayList<>();

  @Option(names = "--cache-from", paramLabel = "IMAGE", description = "Images to consider as cache sources")
  List<String> cacheFrom = new ArrayList<>();

  @Option(names = "--platform", paramLabel = "OS/ARCH", description = "Set platform if server is multi-platform capable")
  String platform;

  @Option(names = "--isolation", paramLabel = "MODE", description = "Container isolation technology: default, process, or vm (RUN steps in microVMs)")
  String isolation;

  @Spec
  CommandSpec spec;

  /** What is sent: the query, and how the body is written. */
  record Upload(String query, String contentType, DaemonClient.Body.Writer body, ContextTar tar) {}

  @Override
  public Integer call() throws Exception {
    if (!List.of("auto", "plain", "tty").contains(progress)) {
      throw new IllegalArgumentException("invalid progress type \"" + progress + "\": use auto, plain or tty");
    }
    if (iidFile != null) {
      Files.deleteIfExists(iidFile);
    }
    Upload upload = prepare(System.in);
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("X-Registry-Config", registryConfig(Credentials.fromEnvironment().all()));
    PrintWriter out = ImageCommands.out(spec);
    PrintWriter err = ImageCommands.err(spec);
    boolean compact = progress.equals("tty") || (progress.equals("auto") && ImageCommands.terminal());
    BuildOutput.Outcome outcome;
    try (DaemonClient.Response r = ImageCommands.client(spec).callChecked("POST", "/build" + upload.query(), headers,
        new DaemonClient.Body.Written(upload.contentType(), upload.body()))) {
      if (upload.tar() != null && !quiet && !compact) {
        out.println("Sending build context to Berth daemon  " + Units.bytesDecimal(upload.tar().bytes()));
        out.flush();
      }
      BuildOutput view = new BuildOutput(out, compact, quiet);
      outcome = view.render(r.body());
      if (compact && !outcome.failed()) {
        out.println(view.summary());
      }
    }
    if (outcome.failed()) {
      if (quiet) {
        err.print(outcome.quietText());
      }
      err.println(outcome.error());
      err.flush();
      return outcome.code(); // docker exits with the failed RUN's code
    }
    if (quiet) {
      out.print(outcome.quietText());
      out.flush();
    }
    if (iidFile != null) {
      if (outcome.imageId() == null) {
        throw new DaemonException(500, "Server did not provide an image ID. Cannot write " + iidFile);
      }
      Files.writeString(iidFile, outcome.imageId());
    }
    return 0;
  }

  /** The request for this command line; {@code stdin} serves {@code -}. */
  Upload prepare(InputStream stdin) throws IOException {
    String dockerfileParam;
    DaemonClient.Body.Writer body;
    String contentType = "application/x-tar";
    ContextTar tar = null;
    if (context.equals("-")) {
      if ("-".equals(file)) {
        throw new IllegalArgumentException("invalid argument: can't use stdin for both build context and dockerfile");
      }
      BufferedInputStream in = new BufferedInputStream(stdin, 64 * 1024);
      dockerfileParam = file == null ? "" : file;
      if (isArchive(in)) {
        body = in::transferTo; // a tar (maybe compressed): sent as it is
      } else {
        byte[] dockerfile = in.readAllBytes(); // a Dockerfile alone: the context is just it, as docker makes it
        String name = dockerfileParam.isEmpty() ? "Dockerfile" : dockerfileParam;
        body = o -> singleFileTar(o, name, dockerfile);
      }
    } else {
      if (context.matches("^(https?://|git://|git@|github\\.com/).*")) {
        throw new IllegalArgumentException("unable to prepare context: remote contexts (" + context
            + ") are not supported; clone or download it and build from the directory");
      }
      Path dir = Path.of(context).toAbsolutePath().normalize();
      if (!Files.isDirectory(dir)) {
        throw new IllegalArgumentException("unable to prepare context: path \"" + context + "\" not found");
      }
      Path ignoreFile = dir.resolve(".dockerignore");
      String ignoreText = Files.isRegularFile(ignoreFile) ? Files.readString(ignoreFile) : null;
      DockerIgnore ignore = ignoreText == null ? DockerIgnore.none() : DockerIgnore.parse(ignoreText);
      Map<String, byte[]> replaced = new LinkedHashMap<>();
      byte[] outside = null;
      String rel;
      if ("-".equals(file)) {
        outside = stdin.readAllBytes();
        rel = null;
      } else {
        Path dockerfile = file == null ? defaultDockerfile(dir) : Path.of(file).toAbsolutePath().normalize();
        if (!Files.isRegularFile(dockerfile)) {
          throw new IllegalArgumentException("unable to prepare context: Cannot locate specified Dockerfile: "
              + (file == null ? dockerfile.getFileName() : file));
        }
        if (dockerfile.startsWith(dir)) {
          rel = dir.relativize(dockerfile).toString();
        } else {
          outside = Files.readAllBytes(dockerfile);
          rel = null;
        }
      }
      if (outside != null) {
        // docker's AddDockerfileToBuildContext: a random name, and a .dockerignore that names it
        byte[] random = new byte[10];
        new SecureRandom().nextBytes(random);
        rel = ".dockerfile." + HexFormat.of().formatHex(random);
        replaced.put(rel, outside);
        replaced.put(".dockerignore", ((ignoreText == null ? ".dockerignore" : ignoreText) + "\n" + rel + "\n")
            .getBytes(StandardCharsets.UTF_8));
      }
      dockerfileParam = rel;
      tar = new ContextTar(dir, ignore, Set.of(rel, ".dockerignore"), replaced);
      body = tar::writeTo;
    }
    return new Upload(query(dockerfileParam), contentType, body, tar);
  }

  /** Docker looks for "Dockerfile", then "dockerfile". */
  private static Path defaultDockerfile(Path dir) {
    Path upper = dir.resolve("Dockerfile");
    Path lower = dir.resolve("dockerfile");
    return !Files.exists(upper) && Files.exists(lower) ? lower : upper;
  }

  private static boolean isArchive(BufferedInputStream in) throws IOException {
    try {
      CompressorStreamFactory.detect(in);
      return true;
    } catch (CompressorException notCompressed) {
      in.mark(512);
      byte[] head = in.readNBytes(512);
      in.reset();
      return head.length == 512 && TarArchiveInputStream.matches(head, head.length);
    }
  }

  private static void singleFileTar(java.io.OutputStream o, String name, byte[] content) throws IOException {
    TarArchiveOutputStream t = new TarArchiveOutputStream(o);
    t.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
    TarArchiveEntry e = new TarArchiveEntry(name);
    e.setMode(0100644);
    e.setSize(content.length);
    t.putArchiveEntry(e);
    t.write(content);
    t.closeArchiveEntry();
    t.finish();
  }

  /** docker's query for the classic builder (imageBuildOptionsToQuery). */
  String query(String dockerfile) {
    List<String[]> q = new ArrayList<>();
    tags.forEach(t -> q.add(new String[] {"t", t}));
    if (dockerfile != null && !dockerfile.isEmpty()) {
      q.add(new String[] {"dockerfile", dockerfile});
    }
    ObjectNode args = Json.object();
    for (String a : buildArgs) {
      int eq = a.indexOf('=');
      if (eq >= 0) {
        args.put(a.substring(0, eq), a.substring(eq + 1));
      } else if (System.getenv(a) != null) {
        args.put(a, System.getenv(a));
      } else {
        args.putNull(a); // named but unset: the daemon warns if no ARG uses it, as docker does
      }
    }
    if (!args.isEmpty()) {
      q.add(new String[] {"buildargs", Json.write(args)});
    }
    ObjectNode labelJson = Json.object();
    for (String l : labels) {
      int eq = l.indexOf('=');
      labelJson.put(eq < 0 ? l : l.substring(0, eq), eq < 0 ? "" : l.substring(eq + 1));
    }
    if (!labelJson.isEmpty()) {
      q.add(new String[] {"labels", Json.write(labelJson)});
    }
    if (target != null) {
      q.add(new String[] {"target", target});
    }
    flag(q, "nocache", noCache);
    flag(q, "pull", pull);
    flag(q, "q", quiet);
    q.add(new String[] {"rm", rm ? "1" : "0"});
    flag(q, "forcerm", forceRm);
    if (network != null) {
      q.add(new String[] {"networkmode", network});
    }
    addHosts.forEach(h -> q.add(new String[] {"extrahosts", h}));
    if (shmSize != null) {
      q.add(new String[] {"shmsize", Long.toString(ContainerOptions.bytes("--shm-size", shmSize))});
    }
    if (memory != null) {
      q.add(new String[] {"memory", Long.toString(ContainerOptions.bytes("--memory", memory))});
    }
    if (memorySwap != null) {
      q.add(new String[] {"memswap", memorySwap.equals("-1") ? "-1"
          : Long.toString(ContainerOptions.bytes("--memory-swap", memorySwap))});
    }
    number(q, "cpushares", cpuShares);
    number(q, "cpuperiod", cpuPeriod);
    number(q, "cpuquota", cpuQuota);
    if (cpusetCpus != null) {
      q.add(new String[] {"cpusetcpus", cpusetCpus});
    }
    if (!ulimits.isEmpty()) {
      ArrayNode u = Json.array();
      ulimits.forEach(s -> u.add(ulimit(s)));
      q.add(new String[] {"ulimits", Json.write(u)});
    }
    if (!cacheFrom.isEmpty()) {
      ArrayNode c = Json.array();
      cacheFrom.forEach(c::add);
      q.add(new String[] {"cachefrom", Json.write(c)});
    }
    if (platform != null) {
      q.add(new String[] {"platform", platform});
    }
    if (isolation != null) {
      q.add(new String[] {"isolation", isolation});
    }
    q.add(new String[] {"version", "1"});
    StringBuilder sb = new StringBuilder();
    for (String[] kv : q) {
      sb.append(sb.isEmpty() ? '?' : '&').append(URLEncoder.encode(kv[0], StandardCharsets.UTF_8)).append('=')
          .append(URLEncoder.encode(kv[1], StandardCharsets.UTF_8));
    }
    return sb.toString();
  }

  private static void flag(List<String[]> q, String name, boolean value) {
    if (value) {
      q.add(new String[] {name, "1"});
    }
  }

  private static void number(List<String[]> q, String name, Long value) {
    if (value != null) {
      q.add(new String[] {name, Long.toString(value)});
    }
  }

  private static ObjectNode ulimit(String spec) {
    int eq = spec.indexOf('=');
    String[] v = eq < 1 ? new String[0] : spec.substring(eq + 1).split(":");
    try {
      long soft = Long.parseLong(v[0]);
      ObjectNode n = Json.object();
      n.put("Name", spec.substring(0, eq));
      n.put("Hard", v.length > 1 ? Long.parseLong(v[1]) : soft);
      n.put("Soft", soft);
      return n;
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("invalid argument \"" + spec + "\" for \"--ulimit\" flag: invalid ulimit argument");
    }
  }

  /** X-Registry-Config: every login, for the FROM pulls (docker sends them all). */
  static String registryConfig(Map<String, Credentials.Login> logins) {
    ObjectNode all = Json.object();
    logins.forEach((key, l) -> all.putObject(key).put("username", l.username()).put("password", l.password())
        .put("serveraddress", key));
    return java.util.Base64.getUrlEncoder().encodeToString(Json.write(all).getBytes(StandardCharsets.UTF_8));
  }
}

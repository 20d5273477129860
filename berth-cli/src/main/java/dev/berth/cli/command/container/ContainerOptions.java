package dev.berth.cli.command.container;

import dev.berth.cli.json.Json;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The options of {@code run} and {@code create}, turned into Docker's create JSON. */
public final class ContainerOptions {

  @Option(names = "--name", description = "Assign a name to the container") String name;
  @Option(names = "--entrypoint", description = "Overwrite the default ENTRYPOINT of the image") String entrypoint;
  @Option(names = {"-e", "--env"}, description = "Set environment variables") List<String> env = new ArrayList<>();
  @Option(names = "--env-file", description = "Read in a file of environment variables") List<Path> envFiles = new ArrayList<>();
  @Option(names = {"-w", "--workdir"}, description = "Working directory inside the container") String workdir;
  @Option(names = {"-u", "--user"}, description = "Username or UID (format: <name|uid>[:<group|gid>])") String user;
  @Option(names = {"-l", "--label"}, description = "Set meta data on a container") List<String> labels = new ArrayList<>();
  @Option(names = {"-h", "--hostname"}, description = "Container host name") String hostname;
  @Option(names = {"-i", "--interactive"}, description = "Keep STDIN open even if not attached") boolean interactive;
  @Option(names = {"-t", "--tty"}, description = "Allocate a pseudo-TTY") boolean tty;
  @Option(names = "--rm", description = "Automatically remove the container when it exits") boolean rm;
  @Option(names = "--init", description = "Run an init inside the container (tini)") boolean init;
  @Option(names = "--privileged", description = "Give extended privileges to this container") boolean privileged;
  @Option(names = "--cap-add", description = "Add Linux capabilities") List<String> capAdd = new ArrayList<>();
  @Option(names = "--cap-drop", description = "Drop Linux capabilities") List<String> capDrop = new ArrayList<>();
  @Option(names = "--read-only", description = "Mount the container's root filesystem as read only") boolean readOnly;
  @Option(names = "--security-opt", description = "Security options") List<String> securityOpt = new ArrayList<>();
  @Option(names = {"-m", "--memory"}, description = "Memory limit") String memory;
  @Option(names = "--memory-swap", description = "Swap limit equal to memory plus swap: -1 for unlimited") String memorySwap;
  @Option(names = "--cpus", description = "Number of CPUs") String cpus;
  @Option(names = {"-c", "--cpu-shares"}, description = "CPU shares (relative weight)") Long cpuShares;
  @Option(names = "--cpuset-cpus", description = "CPUs in which to allow execution (0-3, 0,1)") String cpusetCpus;
  @Option(names = "--pids-limit", description = "Tune container pids limit (-1 for unlimited)") Long pidsLimit;
  @Option(names = "--ulimit", description = "Ulimit options (name=soft[:hard])") List<String> ulimits = new ArrayList<>();
  @Option(names = {"--network", "--net"}, description = "Connect to a network: bridge (default), a network's name, none, host or container:<name|id>") String network;
  @Option(names = "--stop-signal", description = "Signal to stop the container") String stopSignal;
  @Option(names = "--stop-timeout", description = "Timeout (in seconds) to stop a container") Integer stopTimeout;
  @Option(names = "--runtime", description = "Runtime to use for this container (runc, crun)") String runtime;
  @Option(names = "--log-opt", paramLabel = "KEY=VALUE",
      description = "Log driver options (json-file): max-size=SIZE rotates the log at SIZE (10k, 10m, 1g); "
          + "max-file=N keeps N files, the current one included (default 1)") List<String> logOpts = new ArrayList<>();
  @Option(names = "--isolation", description = "Isolation: process (default) or vm (a microVM with its own kernel)") String isolation;
  @Mixin NetworkOptions networkOptions;
  @Mixin StorageOptions storageOptions;

  /** Docker's create body for {@code image} and {@code command}. */
  ObjectNode toJson(String image, List<String> command) throws IOException {
    ObjectNode body = Json.object();
    body.put("Image", image);
    if (hostname != null) {
      body.put("Hostname", hostname);
    }
    if (user != null) {
      body.put("User", user);
    }
    body.put("AttachStdin", interactive);
    body.put("AttachStdout", true);
    body.put("AttachStderr", true);
    body.put("Tty", tty);
    body.put("OpenStdin", interactive);
    body.put("StdinOnce", interactive);
    ArrayNode envs = body.putArray("Env");
    for (Path f : envFiles) {
      for (String line : Files.readAllLines(f)) {
        if (!line.isBlank() && !line.strip().startsWith("#")) {
          envs.add(expandEnv(line.strip()));
        }
      }
    }
    env.forEach(e -> envs.add(expandEnv(e)));
    if (!command.isEmpty()) {
      ArrayNode cmd = body.putArray("Cmd");
      command.forEach(cmd::add);
    }
    if (entrypoint != null) {
      ArrayNode ep = body.putArray("Entrypoint");
      if (!entrypoint.isEmpty()) {
        ep.add(entrypoint);
      }
    }
    if (workdir != null) {
      body.put("WorkingDir", workdir);
    }
    ObjectNode l = body.putObject("Labels");
    for (String label : labels) {
      int eq = label.indexOf('=');
      l.put(eq < 0 ? label : label.substring(0, eq), eq < 0 ? "" : label.substring(eq + 1));
    }
    if (stopSignal != null) {
      body.put("StopSignal", stopSignal);
    }
    if (stopTimeout != null) {
      body.put("StopTimeout", stopTimeout);
    }
    ObjectNode host = body.putObject("HostConfig");
    host.put("AutoRemove", rm);
    host.put("Init", init);
    host.put("Privileged", privileged);
    capAdd.forEach(host.putArray("CapAdd")::add);
    capDrop.forEach(host.putArray("CapDrop")::add);
    host.put("ReadonlyRootfs", readOnly);
    securityOpt.forEach(host.putArray("SecurityOpt")::add);
    if (memory != null) {
      host.put("Memory", bytes("--memory", memory));
    }
    if (memorySwap != null) {
      host.put("MemorySwap", memorySwap.equals("-1") ? -1 : bytes("--memory-swap", memorySwap));
    }
    if (cpus != null) {
      host.put("NanoCpus", nanoCpus(cpus));
    }
    if (cpuShares != null) {
      host.put("CpuShares", cpuShares);
    }
    if (cpusetCpus != null) {
      host.put("CpusetCpus", cpusetCpus);
    }
    if (pidsLimit != null) {
      host.put("PidsLimit", pidsLimit);
    }
    ArrayNode ul = host.putArray("Ulimits");
    for (String u : ulimits) {
      ul.add(ulimit(u));
    }
    host.put("NetworkMode", network == null ? "default" : network);
    if (runtime != null) {
      host.put("Runtime", runtime);
    }
    if (isolation != null) {
      host.put("Isolation", isolation);
    }
    networkOptions.addTo(body, host);
    storageOptions.addTo(body, host);
    ObjectNode logConfig = host.putObject("LogConfig");
    logConfig.put("Type", "json-file");
    ObjectNode logCfg = logConfig.putObject("Config");
    for (String opt : logOpts) {
      int eq = opt.indexOf('=');
      if (eq < 0) {
        throw new IllegalArgumentException("invalid argument \"" + opt + "\" for \"--log-opt\" flag: expected key=value");
      }
      logCfg.put(opt.substring(0, eq), opt.substring(eq + 1));
    }
    return body;
  }

  /** {@code -e KEY} takes KEY's value from our environment, as docker does. */
  static String expandEnv(String e) {
    if (e.contains("=")) {
      return e;
    }
    String v = System.getenv(e);
    return v == null ? e : e + "=" + v;
  }

  /** Docker's RAMInBytes: 32m, 1g, 512k, 100b, plain bytes; binary units. */
  public static long bytes(String option, String value) {
    String v = value.strip().toLowerCase(Locale.ROOT);
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*([kmgtp]?)(i?b)?").matcher(v);
    if (!m.matches()) {
      throw new IllegalArgumentException("invalid argument \"" + value + "\" for \"" + option
          + "\" flag: invalid size: '" + value + "'");
    }
    long mult = switch (m.group(2)) {
      case "k" -> 1L << 10;
      case "m" -> 1L << 20;
      case "g" -> 1L << 30;
      case "t" -> 1L << 40;
      case "p" -> 1L << 50;
      default -> 1;
    };
    return new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(mult)).longValue();
  }

  /** --cpus 1.5 as NanoCpus. */
  public static long nanoCpus(String value) {
    try {
      BigDecimal d = new BigDecimal(value.strip());
      if (d.signum() < 0) {
        throw new NumberFormatException();
      }
      return d.movePointRight(9).longValueExact();
    } catch (NumberFormatException | ArithmeticException e) {
      throw new IllegalArgumentException("invalid argument \"" + value + "\" for \"--cpus\" flag: failed to parse "
          + value + " as a rational number");
    }
  }

  /** name=soft[:hard]. */
  static ObjectNode ulimit(String spec) {
    int eq = spec.indexOf('=');
    if (eq < 1) {
      throw new IllegalArgumentException("invalid argument \"" + spec + "\" for \"--ulimit\" flag: invalid ulimit argument");
    }
    String[] v = spec.substring(eq + 1).split(":");
    try {
      long soft = Long.parseLong(v[0]);
      long hard = v.length > 1 ? Long.parseLong(v[1]) : soft;
      ObjectNode n = Json.object();
      n.put("Name", spec.substring(0, eq));
      n.put("Soft", soft);
      n.put("Hard", hard);
      return n;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("invalid argument \"" + spec + "\" for \"--ulimit\" flag: invalid ulimit value");
    }
  }

  static Map<String, String> nameQuery(String name) {
    return name == null ? Map.of() : Map.of("name", name);
  }
}

package dev.berth.cli.command.container;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.cli.command.CodedOptions;
import dev.berth.cli.json.Json;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/** The options of {@code run} and {@code create}, turned into Docker's create JSON. */
public final class ContainerOptions {

  String name;
  String entrypoint;
  final List<String> env = new ArrayList<>();
  final List<Path> envFiles = new ArrayList<>();
  String workdir;
  String user;
  final List<String> labels = new ArrayList<>();
  String hostname;
  boolean interactive;
  boolean tty;
  boolean rm;
  boolean init;
  boolean privileged;
  final List<String> capAdd = new ArrayList<>();
  final List<String> capDrop = new ArrayList<>();
  boolean readOnly;
  final List<String> securityOpt = new ArrayList<>();
  String memory;
  String memorySwap;
  String cpus;
  Long cpuShares;
  String cpusetCpus;
  Long pidsLimit;
  final List<String> ulimits = new ArrayList<>();
  String network;
  String stopSignal;
  Integer stopTimeout;
  String runtime;
  final List<String> logOpts = new ArrayList<>();
  String isolation;
  String logDriver;
  final List<String> groupAdd = new ArrayList<>();
  String pid;
  String ipc;
  String uts;
  String userns;
  String cgroupns;
  final List<String> devices = new ArrayList<>();
  final List<String> deviceCgroupRules = new ArrayList<>();
  Long memorySwappiness;
  String memoryReservation;
  boolean oomKillDisable;
  Integer oomScoreAdj;
  String shmSize;
  final List<String> sysctls = new ArrayList<>();
  final List<String> dns = new ArrayList<>();
  final List<String> dnsSearch = new ArrayList<>();
  final List<String> dnsOptions = new ArrayList<>();
  final List<String> addHosts = new ArrayList<>();
  final List<String> links = new ArrayList<>();
  String macAddress;
  final NetworkOptions networkOptions = new NetworkOptions();
  final StorageOptions storageOptions = new StorageOptions();
  final SupervisionOptions supervisionOptions = new SupervisionOptions();

  /** run's and create's arguments: these options, then IMAGE, then the COMMAND and its arguments. */
  void declareWithImage(CodedOptions o, Consumer<String> image, List<String> command) {
    declare(o);
    o.positional(0, "IMAGE", image);
    o.rest(1, "COMMAND", command);
  }

  /** Declares these options on a command (see CodedOptions: no annotations, for start-up time). */
  void declare(CodedOptions o) {
    o.value(String.class, "<name>", "Assign a name to the container",
        v -> name = v, "--name");
    o.value(String.class, "<entrypoint>", "Overwrite the default ENTRYPOINT of the image",
        v -> entrypoint = v, "--entrypoint");
    o.list(String.class, "<env>", "Set environment variables",
        env, "-e", "--env");
    o.list(Path.class, "<envFiles>", "Read in a file of environment variables",
        envFiles, "--env-file");
    o.value(String.class, "<workdir>", "Working directory inside the container",
        v -> workdir = v, "-w", "--workdir");
    o.value(String.class, "<user>", "Username or UID (format: <name|uid>[:<group|gid>])",
        v -> user = v, "-u", "--user");
    o.list(String.class, "<labels>", "Set meta data on a container",
        labels, "-l", "--label");
    o.value(String.class, "<hostname>", "Container host name",
        v -> hostname = v, "-h", "--hostname");
    o.flag("Keep STDIN open even if not attached",
        v -> interactive = v, "-i", "--interactive");
    o.flag("Allocate a pseudo-TTY",
        v -> tty = v, "-t", "--tty");
    o.flag("Automatically remove the container when it exits",
        v -> rm = v, "--rm");
    o.flag("Run an init inside the container (tini)",
        v -> init = v, "--init");
    o.flag("Give extended privileges to this container",
        v -> privileged = v, "--privileged");
    o.list(String.class, "<capAdd>", "Add Linux capabilities",
        capAdd, "--cap-add");
    o.list(String.class, "<capDrop>", "Drop Linux capabilities",
        capDrop, "--cap-drop");
    o.flag("Mount the container's root filesystem as read only",
        v -> readOnly = v, "--read-only");
    o.list(String.class, "<securityOpt>", "Security options",
        securityOpt, "--security-opt");
    o.value(String.class, "<memory>", "Memory limit",
        v -> memory = v, "-m", "--memory");
    o.value(String.class, "<memorySwap>", "Swap limit equal to memory plus swap: -1 for unlimited",
        v -> memorySwap = v, "--memory-swap");
    o.value(String.class, "<cpus>", "Number of CPUs",
        v -> cpus = v, "--cpus");
    o.value(Long.class, "<cpuShares>", "CPU shares (relative weight)",
        v -> cpuShares = v, "-c", "--cpu-shares");
    o.value(String.class, "<cpusetCpus>", "CPUs in which to allow execution (0-3, 0,1)",
        v -> cpusetCpus = v, "--cpuset-cpus");
    o.value(Long.class, "<pidsLimit>", "Tune container pids limit (-1 for unlimited)",
        v -> pidsLimit = v, "--pids-limit");
    o.list(String.class, "<ulimits>", "Ulimit options (name=soft[:hard])",
        ulimits, "--ulimit");
    o.value(String.class, "<network>", "Connect to a network: bridge (default), a network's name, none, host or container:<name|id>",
        v -> network = v, "--network", "--net");
    o.value(String.class, "<stopSignal>", "Signal to stop the container",
        v -> stopSignal = v, "--stop-signal");
    o.value(Integer.class, "<stopTimeout>", "Timeout (in seconds) to stop a container",
        v -> stopTimeout = v, "--stop-timeout");
    o.value(String.class, "<runtime>", "Runtime to use for this container (runc, crun)",
        v -> runtime = v, "--runtime");
    o.list(String.class, "KEY=VALUE", "Log driver options (json-file): max-size=SIZE rotates the log at SIZE (10k, 10m, 1g); " + "max-file=N keeps N files, the current one included (default 1)",
        logOpts, "--log-opt");
    o.value(String.class, "<isolation>", "Isolation: process (default) or vm (a microVM with its own kernel)",
        v -> isolation = v, "--isolation");
    o.value(String.class, "<logDriver>", "Logging driver: json-file (default), local or none",
        v -> logDriver = v, "--log-driver");
    o.list(String.class, "<groupAdd>", "Add additional groups to join",
        groupAdd, "--group-add");
    o.value(String.class, "<pid>", "PID namespace to use: host or container:<name|id>",
        v -> pid = v, "--pid");
    o.value(String.class, "<ipc>", "IPC mode: private, shareable, none, host or container:<name|id>",
        v -> ipc = v, "--ipc");
    o.value(String.class, "<uts>", "UTS namespace to use: host or container:<name|id>",
        v -> uts = v, "--uts");
    o.value(String.class, "<userns>", "User namespace to use: host (none, under berthd's --userns-remap)",
        v -> userns = v, "--userns");
    o.value(String.class, "<cgroupns>", "Cgroup namespace to use: host or private",
        v -> cgroupns = v, "--cgroupns");
    o.list(String.class, "<devices>", "Add a host device to the container (/dev/x[:/dev/y[:rwm]])",
        devices, "--device");
    o.list(String.class, "<deviceCgroupRules>", "Add a rule to the cgroup allowed devices list (c 1:3 rwm)",
        deviceCgroupRules, "--device-cgroup-rule");
    o.value(Long.class, "<memorySwappiness>", "Tune container memory swappiness (0 to 100)",
        v -> memorySwappiness = v, "--memory-swappiness");
    o.value(String.class, "<memoryReservation>", "Memory soft limit",
        v -> memoryReservation = v, "--memory-reservation");
    o.flag("Disable OOM Killer",
        v -> oomKillDisable = v, "--oom-kill-disable");
    o.value(Integer.class, "<oomScoreAdj>", "Tune host's OOM preferences (0 to 1000)",
        v -> oomScoreAdj = v, "--oom-score-adj");
    o.value(String.class, "<shmSize>", "Size of /dev/shm",
        v -> shmSize = v, "--shm-size");
    o.list(String.class, "<sysctls>", "Sysctl options (net.ipv4.ip_forward=1)",
        sysctls, "--sysctl");
    o.list(String.class, "<dns>", "Set custom DNS servers",
        dns, "--dns");
    o.list(String.class, "<dnsSearch>", "Set custom DNS search domains",
        dnsSearch, "--dns-search");
    o.list(String.class, "<dnsOptions>", "Set DNS options",
        dnsOptions, "--dns-option");
    o.list(String.class, "<addHosts>", "Add a custom host-to-IP mapping (host:ip)",
        addHosts, "--add-host");
    o.list(String.class, "<links>", "Add link to another container (name[:alias])",
        links, "--link");
    o.value(String.class, "<macAddress>", "Container MAC address (e.g., 92:d0:c6:0a:29:33)",
        v -> macAddress = v, "--mac-address");
    networkOptions.declare(o);
    storageOptions.declare(o);
    supervisionOptions.declare(o);
  }

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
    hostOptions(body, host);
    supervisionOptions.addTo(body, host);
    ObjectNode logConfig = host.putObject("LogConfig");
    logConfig.put("Type", logDriver == null ? "json-file" : logDriver);
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

  /** The namespace, device, memory-tuning, sysctl and name-resolution options. */
  private void hostOptions(ObjectNode body, ObjectNode host) {
    strings(host, "GroupAdd", groupAdd);
    putIfSet(host, "PidMode", pid);
    putIfSet(host, "IpcMode", ipc);
    putIfSet(host, "UTSMode", uts);
    putIfSet(host, "UsernsMode", userns);
    putIfSet(host, "CgroupnsMode", cgroupns);
    if (!devices.isEmpty()) {
      ArrayNode d = host.putArray("Devices");
      devices.forEach(spec -> d.add(device(spec)));
    }
    strings(host, "DeviceCgroupRules", deviceCgroupRules);
    if (memorySwappiness != null) {
      host.put("MemorySwappiness", memorySwappiness);
    }
    if (memoryReservation != null) {
      host.put("MemoryReservation", bytes("--memory-reservation", memoryReservation));
    }
    if (oomKillDisable) {
      host.put("OomKillDisable", true);
    }
    if (oomScoreAdj != null) {
      host.put("OomScoreAdj", oomScoreAdj);
    }
    if (shmSize != null) {
      host.put("ShmSize", bytes("--shm-size", shmSize));
    }
    if (!sysctls.isEmpty()) {
      ObjectNode m = host.putObject("Sysctls");
      for (String kv : sysctls) {
        int eq = kv.indexOf('=');
        if (eq < 1) {
          throw new IllegalArgumentException("invalid argument \"" + kv + "\" for \"--sysctl\" flag: sysctl '" + kv
              + "' is not allowed (use KEY=VALUE)");
        }
        m.put(kv.substring(0, eq), kv.substring(eq + 1));
      }
    }
    strings(host, "Dns", dns);
    strings(host, "DnsSearch", dnsSearch);
    strings(host, "DnsOptions", dnsOptions);
    strings(host, "ExtraHosts", addHosts);
    if (!links.isEmpty()) {
      ArrayNode l = host.putArray("Links");
      links.forEach(link -> l.add(link.contains(":") ? link : link + ":" + link));
    }
    putIfSet(body, "MacAddress", macAddress);
  }

  /** {@code /dev/x[:/dev/y][:rwm]} as Docker's DeviceMapping. */
  static ObjectNode device(String spec) {
    String[] p = spec.split(":");
    String permissions = "rwm";
    String inContainer = p[0];
    if (p.length == 2) {
      if (p[1].matches("[rwm]{1,3}")) {
        permissions = p[1];
      } else {
        inContainer = p[1];
      }
    } else if (p.length == 3) {
      inContainer = p[1];
      permissions = p[2];
    } else if (p.length > 3 || p[0].isEmpty()) {
      throw new IllegalArgumentException("invalid argument \"" + spec + "\" for \"--device\" flag: bad format for "
          + "path: " + spec);
    }
    ObjectNode d = Json.object();
    d.put("PathOnHost", p[0]);
    d.put("PathInContainer", inContainer);
    d.put("CgroupPermissions", permissions);
    return d;
  }

  private static void strings(ObjectNode n, String key, List<String> values) {
    if (!values.isEmpty()) {
      values.forEach(n.putArray(key)::add);
    }
  }

  private static void putIfSet(ObjectNode n, String key, String value) {
    if (value != null) {
      n.put(key, value);
    }
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

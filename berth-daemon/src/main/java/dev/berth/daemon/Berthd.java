package dev.berth.daemon;

import dev.berth.engine.BerthVersion;
import dev.berth.engine.network.NetworkDefaults;
import dev.berth.engine.pod.PodNetworkConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import dev.berth.engine.microvm.MicroVmRuntime;
import dev.berth.daemon.console.Console;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code berthd}: dockerd's flag names, merged with /etc/berth/daemon.json, then {@link Daemon}. */
@Command(
    name = "berthd",
    mixinStandardHelpOptions = true,
    versionProvider = Berthd.Version.class,
    sortOptions = false,
    description = {
        "The Berth daemon: runs containers and virtual machines and serves the Docker Engine API.",
        "",
        "Each flag may also be set in the config file under the flag's long name, as in",
        "{\"hosts\": [\"unix:///run/berth/berth.sock\"], \"data-root\": \"/var/lib/berth\"};",
        "setting one in both places is an error."})
public final class Berthd implements Callable<Integer> {

  @Option(names = {"-H", "--host"}, paramLabel = "ADDRESS",
      description = "Where to serve the API: unix:///path or tcp://HOST:PORT; repeatable (default: "
          + DaemonConfig.DEFAULT_HOST + ")")
  List<String> hosts;

  @Option(names = "--data-root", paramLabel = "DIR",
      description = "Root of persistent state: database, images, containers (default: /var/lib/berth)")
  Path dataRoot;

  @Option(names = "--exec-root", paramLabel = "DIR",
      description = "Root of runtime state: sockets, pidfiles, exit files (default: /run/berth)")
  Path execRoot;

  @Option(names = {"-l", "--log-level"}, paramLabel = "LEVEL",
      description = "debug, info, warn, error or fatal (default: info)")
  String logLevel;

  @Option(names = {"-p", "--pidfile"}, paramLabel = "FILE",
      description = "Where to write the daemon's pid (default: <exec-root>/berthd.pid)")
  Path pidfile;

  @Option(names = "--insecure-registry", paramLabel = "HOST[:PORT]",
      description = "A registry spoken to over plain HTTP; repeatable (loopback registries always are)")
  List<String> insecureRegistries;

  @Option(names = "--registry-mirror", paramLabel = "[REGISTRY=]URL",
      description = "A mirror pulls from REGISTRY try first, in the order given; repeatable; without REGISTRY= a "
          + "mirror of docker.io (as dockerd). http:// only for loopback and --insecure-registry hosts")
  List<String> registryMirrors;

  @Option(names = "--default-runtime", paramLabel = "NAME",
      description = "OCI runtime for containers that name none: runc or crun (default: the first that works here)")
  String defaultRuntime;

  @Option(names = {"-b", "--bridge"}, paramLabel = "NAME",
      description = "The default network's Linux bridge (default: berth0)")
  String bridge;

  @Option(names = "--bip", paramLabel = "CIDR",
      description = "The default bridge's address and prefix, e.g. 10.89.0.1/24 (default: the first free subnet of the pools)")
  String bip;

  @Option(names = "--default-address-pool", paramLabel = "base=CIDR,size=N",
      description = "Where subnets of new networks come from; repeatable (default: base=10.89.0.0/16,size=24)")
  List<String> addressPools;

  @Option(names = "--iptables-prefix", paramLabel = "NAME",
      description = "Berth's iptables chains are named NAME-DNAT, NAME-POST, NAME-FWD (default: BERTH); "
          + "daemons sharing a host need different ones")
  String iptablesPrefix;

  @Option(names = "--vm-kernel", paramLabel = "FILE",
      description = "Guest kernel for --isolation=vm containers, a bzImage or vmlinux named vmlinuz-<version> with"
          + " modules in /lib/modules/<version> (default: the newest /boot/vmlinuz-*)")
  Path vmKernel;

  @Option(names = "--vm-accel", paramLabel = "auto|kvm|tcg",
      description = "Accelerator for --isolation=vm containers (default: auto = kvm when /dev/kvm works, else tcg)")
  String vmAccel;

  @Option(names = {"-G", "--group"}, paramLabel = "GROUP",
      description = "Group owning the unix sockets (mode 0660), a name or gid (default: berth when that group "
          + "exists, else root)")
  String group;

  @Option(names = "--api-max-connections", paramLabel = "N",
      description = "Open API connections at most (streams and attaches count); more are answered 503 (default: "
          + dev.berth.daemon.http.HttpLimits.DEFAULT_MAX_CONNECTIONS + ")")
  Integer apiMaxConnections;

  @Option(names = "--tls", arity = "0..1", paramLabel = "BOOL",
      description = "Serve TCP listeners over TLS (implied by --tlsverify); --tls=false allows plain TCP on a "
          + "non-loopback address, which is refused otherwise")
  Boolean tls;

  @Option(names = "--tlsverify", arity = "0..1", paramLabel = "BOOL",
      description = "TLS, and clients must present a certificate signed by --tlscacert (mutual TLS)")
  Boolean tlsVerify;

  @Option(names = "--tlscacert", paramLabel = "FILE",
      description = "CA whose certificates clients must present (default: /etc/berth/tls/ca.pem)")
  Path tlsCaCert;

  @Option(names = "--tlscert", paramLabel = "FILE",
      description = "The server's certificate, PEM (default: /etc/berth/tls/cert.pem)")
  Path tlsCert;

  @Option(names = "--tlskey", paramLabel = "FILE",
      description = "The server's private key, PEM: PKCS#8, PKCS#1 or SEC1 (default: /etc/berth/tls/key.pem)")
  Path tlsKey;

  @Option(names = "--console-addr", paramLabel = "HOST:PORT",
      description = "Serve the web console there (off by default); a non-loopback address needs TLS (--tls or "
          + "--tlsverify). The token is printed in the log and kept in <data-root>/console.token")
  String consoleAddr;

  @Option(names = "--cri-socket", paramLabel = "PATH",
      description = "Where to serve Kubernetes' CRI (gRPC) for kubelet, crictl and critest: a path or unix:///path; "
          + "\"\" turns it off (default: <exec-root>/cri.sock, so /run/berth/cri.sock)")
  String criSocket;

  @Option(names = "--userns-remap", paramLabel = "default|USER[:GROUP]|UID[:GID]",
      description = "Run containers in a user namespace: their root is the first id of the user's ranges in "
          + "/etc/subuid and /etc/subgid (at least 65536 each); default = the user berth, created with its ranges "
          + "when missing. --userns=host opts a container out (off by default)")
  String usernsRemap;

  @Option(names = "--cni-config-dir", paramLabel = "DIR",
      description = "Pods' CNI network configs: the first .conflist, .conf or .json by name; Berth writes its "
          + "bridge there when none is (default: /etc/cni/net.d)")
  Path cniConfigDir;

  @Option(names = "--cni-plugin-dir", paramLabel = "DIR",
      description = "Where pods' CNI plugins are looked for, in order; repeatable (default: /usr/lib/cni and "
          + "/opt/cni/bin)")
  List<Path> cniPluginDirs;

  @Option(names = "--config-file", paramLabel = "FILE",
      description = "Daemon configuration file (default: /etc/berth/daemon.json; missing is fine)")
  Path configFile;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    CommandLine cli = new CommandLine(new Berthd());
    System.exit(cli.execute(args));
  }

  @Override
  public Integer call() {
    DaemonConfig config;
    try {
      config = resolve(spec.commandLine().getParseResult());
    } catch (IllegalArgumentException e) {
      System.err.println("berthd: " + e.getMessage());
      return 1;
    }
    Optional<Path> cri;
    try {
      cri = criSocket(config);
    } catch (IllegalArgumentException e) {
      System.err.println("berthd: " + e.getMessage());
      return 1;
    }
    return new Daemon(config, cri, podNetwork()).run();
  }

  /** Merges flags with the config file; a setting in both is an error, as with dockerd. */
  DaemonConfig resolve(CommandLine.ParseResult parsed) {
    boolean named = configFile != null;
    ConfigFile file = ConfigFile.read(named ? configFile : DaemonConfig.DEFAULT_CONFIG_FILE, named);
    List<String> conflicts = new java.util.ArrayList<>();
    for (String key : ConfigFile.KEYS) {
      String flag = switch (key) {
        case "hosts" -> "--host";
        case "insecure-registries" -> "--insecure-registry";
        case "default-address-pools" -> "--default-address-pool";
        case "registry-mirrors" -> "--registry-mirror";
        case "cni-plugin-dirs" -> "--cni-plugin-dir";
        default -> "--" + key;
      };
      if (file.has(key) && parsed.hasMatchedOption(flag)) {
        conflicts.add(key);
      }
    }
    if (!conflicts.isEmpty()) {
      throw new IllegalArgumentException("the following directives are specified both as a flag and in the "
          + "configuration file: " + String.join(", ", conflicts.stream().sorted().toList())
          + "; keep each in one place");
    }
    List<String> h = hosts != null ? hosts
        : file.has("hosts") ? file.strings("hosts") : List.of(DaemonConfig.DEFAULT_HOST);
    Path data = dataRoot != null ? dataRoot
        : file.has("data-root") ? Path.of(file.string("data-root")) : DaemonConfig.DEFAULT_DATA_ROOT;
    Path exec = execRoot != null ? execRoot
        : file.has("exec-root") ? Path.of(file.string("exec-root")) : DaemonConfig.DEFAULT_EXEC_ROOT;
    String level = logLevel != null ? logLevel : file.has("log-level") ? file.string("log-level") : "info";
    Path pid = pidfile != null ? pidfile
        : file.has("pidfile") ? Path.of(file.string("pidfile")) : exec.resolve("berthd.pid");
    List<String> insecure = insecureRegistries != null ? insecureRegistries
        : file.has("insecure-registries") ? file.strings("insecure-registries") : List.of();
    var mirrorTable = new dev.berth.engine.image.registry.RegistryMirrors.Builder();
    if (registryMirrors != null) {
      registryMirrors.forEach(mirrorTable::addFlag);
    } else if (file.has("registry-mirrors")) {
      file.mirrors("registry-mirrors", mirrorTable);
    }
    var mirrors = mirrorTable.build(java.util.Set.copyOf(insecure));
    String runtime = defaultRuntime != null ? defaultRuntime
        : file.has("default-runtime") ? file.string("default-runtime") : null;
    List<NetworkDefaults.Pool> pools = addressPools != null ? addressPools.stream().map(Berthd::pool).toList()
        : file.has("default-address-pools") ? file.pools("default-address-pools") : null;
    NetworkDefaults networks = new NetworkDefaults(
        bridge != null ? bridge : file.has("bridge") ? file.string("bridge") : null,
        bip != null ? bip : file.has("bip") ? file.string("bip") : null,
        pools,
        iptablesPrefix != null ? iptablesPrefix : file.has("iptables-prefix") ? file.string("iptables-prefix") : null);
    Path kernel = vmKernel != null ? vmKernel : file.has("vm-kernel") ? Path.of(file.string("vm-kernel")) : null;
    String accel = vmAccel != null ? vmAccel : file.has("vm-accel") ? file.string("vm-accel") : "auto";
    TlsOptions tlsOptions = new TlsOptions(
        tls != null ? tls : file.has("tls") ? (Boolean) file.bool("tls") : null,
        tlsVerify != null ? tlsVerify : file.has("tlsverify") ? (Boolean) file.bool("tlsverify") : null,
        absolute(tlsCaCert != null ? tlsCaCert : file.has("tlscacert") ? Path.of(file.string("tlscacert")) : null),
        absolute(tlsCert != null ? tlsCert : file.has("tlscert") ? Path.of(file.string("tlscert")) : null),
        absolute(tlsKey != null ? tlsKey : file.has("tlskey") ? Path.of(file.string("tlskey")) : null));
    String socketGroup = group != null ? group : file.has("group") ? file.string("group") : null;
    int maxConnections = apiMaxConnections != null ? apiMaxConnections
        : file.has("api-max-connections") ? file.integer("api-max-connections")
        : dev.berth.daemon.http.HttpLimits.DEFAULT_MAX_CONNECTIONS;
    if (maxConnections < 1) {
      throw new IllegalArgumentException("--api-max-connections must be at least 1, not " + maxConnections);
    }
    // Before anything is opened or bound: plain TCP that others can reach is refused here.
    tlsOptions.exposedPlainListeners(h);
    String console = consoleAddr != null ? consoleAddr : file.has("console-addr") ? file.string("console-addr") : null;
    if (console != null) {
      Console.requireTlsBeyondLoopback(Console.parseAddress(console), tlsOptions.enabled());
    }
    String remap = usernsRemap != null ? usernsRemap : file.has("userns-remap") ? file.string("userns-remap") : null;
    if (remap != null && remap.isBlank()) {
      remap = null; // dockerd's daemon.json "userns-remap": "" means off
    }
    return new DaemonConfig(h, data.toAbsolutePath(), exec.toAbsolutePath(), DaemonConfig.LogLevel.parse(level),
        pid.toAbsolutePath(), insecure, runtime, networks,
        new MicroVmRuntime.Settings(java.util.Optional.ofNullable(kernel).map(Path::toAbsolutePath), accel),
        tlsOptions, socketGroup, maxConnections, mirrors, console, remap);
  }

  /**
   * The CRI socket: {@code --cri-socket} or daemon.json's {@code cri-socket} (a path or
   * unix:///path), by default beside the exec-root's other sockets; empty turns the CRI off.
   * (Conflicts between flag and file were refused by {@link #resolve}.)
   */
  Optional<Path> criSocket(DaemonConfig config) {
    boolean named = configFile != null;
    ConfigFile file = ConfigFile.read(named ? configFile : DaemonConfig.DEFAULT_CONFIG_FILE, named);
    String value = criSocket != null ? criSocket : file.has("cri-socket") ? file.string("cri-socket") : null;
    if (value == null) {
      return Optional.of(config.execRoot().resolve("cri.sock"));
    }
    String path = value.strip().startsWith("unix://") ? value.strip().substring("unix://".length()) : value.strip();
    if (path.isEmpty()) {
      return Optional.empty();
    }
    if (value.contains("://") && !value.strip().startsWith("unix://")) {
      throw new IllegalArgumentException("--cri-socket " + value + ": the CRI is served on a unix socket only; "
          + "give a path or unix:///path");
    }
    return Optional.of(Path.of(path).toAbsolutePath());
  }

  /**
   * The pods' CNI dirs: {@code --cni-config-dir} / daemon.json {@code cni-config-dir} and
   * {@code --cni-plugin-dir} (repeatable) / {@code cni-plugin-dirs} (a list), as CRI-O names them.
   * (Conflicts between flag and file were refused by {@link #resolve}.)
   */
  PodNetworkConfig podNetwork() {
    boolean named = configFile != null;
    ConfigFile file = ConfigFile.read(named ? configFile : DaemonConfig.DEFAULT_CONFIG_FILE, named);
    PodNetworkConfig net = PodNetworkConfig.DEFAULTS;
    Path conf = cniConfigDir != null ? cniConfigDir
        : file.has("cni-config-dir") ? Path.of(file.string("cni-config-dir")) : null;
    if (conf != null) {
      net = net.withConfDir(conf.toAbsolutePath());
    }
    List<Path> bins = cniPluginDirs != null ? cniPluginDirs
        : file.has("cni-plugin-dirs") ? file.strings("cni-plugin-dirs").stream().map(Path::of).toList() : null;
    if (bins != null) {
      net = net.withBinDirs(bins.stream().map(Path::toAbsolutePath).toList());
    }
    return net;
  }

  private static Path absolute(Path p) {
    return p == null ? null : p.toAbsolutePath();
  }

  /** dockerd's --default-address-pool base=10.89.0.0/16,size=24. */
  static NetworkDefaults.Pool pool(String text) {
    String base = null;
    Integer size = null;
    for (String part : text.split(",")) {
      String[] kv = part.split("=", 2);
      if (kv.length == 2 && kv[0].strip().equals("base")) {
        base = kv[1].strip();
      } else if (kv.length == 2 && kv[0].strip().equals("size")) {
        try {
          size = Integer.parseInt(kv[1].strip());
        } catch (NumberFormatException e) {
          size = null;
        }
      }
    }
    if (base == null || size == null) {
      throw new IllegalArgumentException("invalid --default-address-pool " + text + ": use base=CIDR,size=N");
    }
    return new NetworkDefaults.Pool(base, size);
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"berthd version " + BerthVersion.version() + " (API " + BerthVersion.API_VERSION + ")"};
    }
  }
}

package dev.berth.cli;

import dev.berth.cli.client.DaemonAddress;
import dev.berth.cli.client.DaemonClient;
import dev.berth.cli.client.DaemonException;
import dev.berth.cli.client.DaemonUnreachableException;
import dev.berth.cli.client.TlsFiles;
import dev.berth.cli.command.CodedOptions;
import dev.berth.cli.command.CompletionCommand;
import dev.berth.cli.command.InfoCommand;
import dev.berth.cli.command.VersionCommand;
import dev.berth.cli.command.image.HistoryCommand;
import dev.berth.cli.command.image.ImageCommand;
import dev.berth.cli.command.image.ImagesCommand;
import dev.berth.cli.command.image.ImportCommand;
import dev.berth.cli.command.image.LoadCommand;
import dev.berth.cli.command.image.LoginCommand;
import dev.berth.cli.command.image.LogoutCommand;
import dev.berth.cli.command.image.PullCommand;
import dev.berth.cli.command.image.PushCommand;
import dev.berth.cli.command.image.RmiCommand;
import dev.berth.cli.command.image.SaveCommand;
import dev.berth.cli.command.image.TagCommand;
import dev.berth.cli.command.vm.VmCommand;
import dev.berth.cli.json.Json;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code berth}: docker's verbs and flags, talking to berthd's API only. The root command is
 * declared in code, not by annotations (see {@link CodedOptions}): every command pays for it.
 */
public final class BerthCli implements Runnable {
  /** The API version this CLI speaks; the daemon accepts 1.24 up to its own maximum. */
  public static final String API_VERSION = "1.51";

  private final CommandSpec spec = CommandSpec.wrapWithoutInspection(this).name("berth");
  private final CodedOptions declared = new CodedOptions(spec);
  private String host;
  private boolean tls;
  private boolean tlsVerify;
  private String tlsCaCert;
  private String tlsCert;
  private String tlsKey;

  private BerthCli() {
    spec.versionProvider(new Version());
    spec.usageMessage().description("Run containers and virtual machines with Berth.")
        .footer("", "Run 'berth COMMAND --help' for more information on a command.");
    declared.value(String.class, "ADDRESS", "Daemon socket to connect to: unix:///path or tcp://HOST:PORT "
        + "(default: $BERTH_HOST, else $DOCKER_HOST, else " + DaemonAddress.DEFAULT + ")", v -> host = v, "-H", "--host");
    declared.flag("Use TLS; implied by --tlsverify", v -> tls = v, "--tls");
    declared.flag("Use TLS and verify the daemon's certificate (default: $DOCKER_TLS_VERIFY not empty)",
        v -> tlsVerify = v, "--tlsverify");
    declared.value(String.class, "FILE", "Trust certs signed only by this CA (default: $DOCKER_CERT_PATH/ca.pem, "
        + "else ~/.docker/ca.pem)", v -> tlsCaCert = v, "--tlscacert");
    declared.value(String.class, "FILE", "Path to the TLS certificate file (default: $DOCKER_CERT_PATH/cert.pem, "
        + "else ~/.docker/cert.pem)", v -> tlsCert = v, "--tlscert");
    declared.value(String.class, "FILE", "Path to the TLS key file, PKCS#8 PEM (default: $DOCKER_CERT_PATH/key.pem, "
        + "else ~/.docker/key.pem)", v -> tlsKey = v, "--tlskey");
    declared.usageHelp("-h", "--help");
    declared.versionHelp("-V", "--version");
  }

  public static void main(String[] args) {
    if (talksToTheDaemon(args)) {
      startWarmUp();
    }
    int status = run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true));
    System.out.flush();
    System.err.flush();
    // halt, not exit: the CLI has no shutdown hooks, and exit first looks up a System.Logger to
    // log the call, which starts java.util.logging (~10 ms of a command that takes 100).
    Runtime.getRuntime().halt(status);
  }

  /** A command that will connect to berthd, not a request for help or the CLI's own version. */
  static boolean talksToTheDaemon(String[] args) {
    String named = commandName(args);
    return named != null && COMMANDS.containsKey(named) && !named.equals("help") && !named.equals("completion")
        && !List.of(args).contains("--help");
  }

  /**
   * Class initialization a command cannot skip, done on the second core while this one builds
   * picocli's model: the JDK's first unix socket initializes the security providers (it seeds a
   * SecureRandom for socket names), ~25 ms of interpreted code; then the JSON reader that reads
   * the daemon's answers. Nothing waits for it; a command that gets there first does the rest.
   */
  static void startWarmUp() {
    // A plain Thread: the classes of Thread.Builder would be one more thing to load first.
    Thread warmUp = new Thread(BerthCli::warmUp, "warm-up");
    warmUp.setDaemon(true);
    warmUp.start();
  }

  private static void warmUp() {
    try {
      SocketChannel.open(StandardProtocolFamily.UNIX).close();
      Json.parse("{\"StatusCode\":0,\"Error\":\"\"}".getBytes(StandardCharsets.UTF_8));
    } catch (IOException | RuntimeException e) {
      // the command meets any real problem when it connects
    }
  }

  /** Runs one command line; the streams are parameters so tests can capture them. */
  public static int run(String[] args, PrintWriter out, PrintWriter err) {
    CommandLine cli = commandLine(args);
    cli.setOut(out);
    cli.setErr(err);
    return cli.execute(args);
  }

  /**
   * The commands, in the order {@code --help} lists them. Each is built only when needed:
   * picocli reads a command's annotations by reflection, and doing that for every command on
   * each run would cost more start-up time than the command itself.
   */
  private static final Map<String, Supplier<Object>> COMMANDS = commands();

  private static Map<String, Supplier<Object>> commands() {
    Map<String, Supplier<Object>> c = new LinkedHashMap<>();
    c.put("run", () -> new dev.berth.cli.command.container.RunCommand().spec());
    c.put("create", () -> new dev.berth.cli.command.container.CreateCommand().spec());
    c.put("start", dev.berth.cli.command.container.StartCommand::new);
    c.put("stop", dev.berth.cli.command.container.StopCommand::new);
    c.put("kill", dev.berth.cli.command.container.KillCommand::new);
    c.put("restart", dev.berth.cli.command.container.RestartCommand::new);
    c.put("rm", dev.berth.cli.command.container.RmCommand::new);
    c.put("rename", dev.berth.cli.command.container.RenameCommand::new);
    c.put("update", dev.berth.cli.command.container.UpdateCommand::new);
    c.put("wait", dev.berth.cli.command.container.WaitCommand::new);
    c.put("logs", dev.berth.cli.command.container.LogsCommand::new);
    c.put("attach", dev.berth.cli.command.container.AttachCommand::new);
    c.put("exec", dev.berth.cli.command.container.ExecCommand::new);
    c.put("ps", dev.berth.cli.command.container.PsCommand::new);
    c.put("inspect", dev.berth.cli.command.container.InspectCommand::new);
    c.put("top", dev.berth.cli.command.container.TopCommand::new);
    c.put("pause", dev.berth.cli.command.container.PauseCommand::new);
    c.put("unpause", dev.berth.cli.command.container.UnpauseCommand::new);
    c.put("stats", dev.berth.cli.command.container.StatsCommand::new);
    c.put("cp", dev.berth.cli.command.files.CpCommand::new);
    c.put("export", dev.berth.cli.command.files.ExportCommand::new);
    c.put("diff", dev.berth.cli.command.files.DiffCommand::new);
    c.put("commit", dev.berth.cli.command.files.CommitCommand::new);
    c.put("events", dev.berth.cli.command.system.EventsCommand::new);
    c.put("container", dev.berth.cli.command.container.ContainerCommand::tree);
    c.put("port", dev.berth.cli.command.container.PortCommand::new);
    c.put("network", dev.berth.cli.command.network.NetworkCommand::tree);
    c.put("images", ImagesCommand::new);
    c.put("pull", () -> new PullCommand().spec());
    c.put("push", PushCommand::new);
    c.put("tag", TagCommand::new);
    c.put("rmi", RmiCommand::new);
    c.put("history", HistoryCommand::new);
    c.put("save", SaveCommand::new);
    c.put("load", LoadCommand::new);
    c.put("import", ImportCommand::new);
    c.put("build", dev.berth.cli.command.image.BuildCommand::new);
    c.put("builder", dev.berth.cli.command.image.BuilderCommand::tree);
    c.put("login", LoginCommand::new);
    c.put("logout", LogoutCommand::new);
    c.put("image", ImageCommand::tree);
    c.put("volume", dev.berth.cli.command.volume.VolumeCommand::tree);
    c.put("vm", VmCommand::new);
    c.put("bench", dev.berth.cli.command.bench.BenchCommand::new);
    c.put("system", dev.berth.cli.command.system.SystemCommand::tree);
    c.put("version", () -> new VersionCommand().spec());
    c.put("info", InfoCommand::new);
    c.put("completion", CompletionCommand::new);
    c.put("help", CommandLine.HelpCommand::new);
    return c;
  }

  /** The full command tree, for help and completion. */
  public static CommandLine commandLine() {
    return commandLine(null);
  }

  /** The tree with only the command {@code args} names, or all when that is unclear. */
  static CommandLine commandLine(String[] args) {
    CommandLine cli = new CommandLine(new BerthCli().spec);
    String named = args == null ? null : commandName(args);
    boolean one = named != null && COMMANDS.containsKey(named) && !named.equals("help") && !named.equals("completion");
    boolean none = named == null && args != null && List.of(args).stream().anyMatch(a -> a.equals("-V")
        || a.equals("--version"));
    COMMANDS.forEach((name, make) -> {
      if (!none && (!one || name.equals(named))) {
        Object command = make.get();
        if (command instanceof CommandLine tree) {
          cli.addSubcommand(name, tree);
        } else {
          cli.addSubcommand(name, command);
        }
      }
    });
    stopAtCommand(cli);
    // docker's shape for a usage error: the problem, a pointer to --help, exit 125.
    cli.setParameterExceptionHandler((e, unmatched) -> {
      PrintWriter err = e.getCommandLine().getErr();
      err.println(e.getMessage());
      err.println("See '" + e.getCommandLine().getCommandSpec().qualifiedName() + " --help'.");
      err.flush();
      return 125;
    });
    cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
      PrintWriter err = commandLine.getErr();
      switch (e) {
        case DaemonUnreachableException u -> err.println(u.getMessage());
        case DaemonException d -> err.println("Error response from daemon: " + d.getMessage());
        case UncheckedIOException io -> err.println("error: " + io.getMessage());
        case IllegalArgumentException bad -> err.println("error: " + bad.getMessage());
        default -> throw e;
      }
      err.flush();
      return 1;
    });
    return cli;
  }

  /** run, create and exec pass everything after the image or container to the command, as docker does. */
  private static void stopAtCommand(CommandLine cli) {
    for (CommandLine sub : cli.getSubcommands().values()) {
      Object o = sub.getCommand();
      if (o instanceof dev.berth.cli.command.container.RunCommand || o instanceof dev.berth.cli.command.container.CreateCommand
          || o instanceof dev.berth.cli.command.container.ExecCommand) {
        sub.setStopAtPositional(true);
      }
      if (o instanceof dev.berth.cli.command.container.ContainerCommand) {
        stopAtCommand(sub);
      }
    }
  }

  /** The first word that is not a global option or its value: the command to run. */
  static String commandName(String[] args) {
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (a.equals("-H") || a.equals("--host") || a.equals("--tlscacert") || a.equals("--tlscert")
          || a.equals("--tlskey")) {
        i++;
      } else if (!a.startsWith("-")) {
        return a;
      }
    }
    return null;
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** The root command of any command, however deep, for its -H and client. */
  public static BerthCli from(CommandSpec spec) {
    return (BerthCli) spec.root().userObject();
  }

  /** A client for the daemon named by -H, BERTH_HOST, DOCKER_HOST or the default, with TLS as the docker CLI sets it. */
  public DaemonClient client() {
    declared.read();
    Map<String, String> env = System.getenv();
    String spec = host != null ? host : firstSet(env.get("BERTH_HOST"), env.get("DOCKER_HOST"), DaemonAddress.DEFAULT);
    return new DaemonClient(DaemonAddress.parse(spec), API_VERSION, tlsFiles(env));
  }

  private static String firstSet(String... values) {
    for (String v : values) {
      if (v != null && !v.isBlank()) {
        return v;
      }
    }
    return null;
  }

  /**
   * The docker CLI's rules: --tlsverify or a non-empty DOCKER_TLS_VERIFY verify the daemon;
   * --tls alone encrypts only. Files default to DOCKER_CERT_PATH, else ~/.docker; a default
   * client certificate is used only when both of its files exist.
   */
  TlsFiles tlsFiles(Map<String, String> env) {
    declared.read();
    boolean verify = tlsVerify || firstSet(env.get("DOCKER_TLS_VERIFY")) != null;
    if (!verify && !tls) {
      return null;
    }
    String certPath = firstSet(env.get("DOCKER_CERT_PATH"));
    Path dir = certPath != null ? Path.of(certPath) : Path.of(System.getProperty("user.home"), ".docker");
    Path ca = tlsCaCert != null ? Path.of(tlsCaCert) : dir.resolve("ca.pem");
    Path cert = tlsCert != null ? Path.of(tlsCert) : dir.resolve("cert.pem");
    Path key = tlsKey != null ? Path.of(tlsKey) : dir.resolve("key.pem");
    if (tlsCert == null && tlsKey == null && !(Files.exists(cert) && Files.exists(key))) {
      cert = null;
      key = null;
    }
    return new TlsFiles(verify, ca, cert, key);
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"berth version " + CliVersion.version() + ", API " + API_VERSION};
    }
  }
}

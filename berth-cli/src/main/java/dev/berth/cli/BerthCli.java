package dev.berth.cli;

import dev.berth.cli.client.DaemonAddress;
import dev.berth.cli.client.DaemonClient;
import dev.berth.cli.client.DaemonException;
import dev.berth.cli.client.DaemonUnreachableException;
import dev.berth.cli.command.CompletionCommand;
import dev.berth.cli.command.InfoCommand;
import dev.berth.cli.command.VersionCommand;
import dev.berth.cli.command.vm.VmCommand;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code berth}: docker's verbs and flags, talking to berthd's API only. */
@Command(
    name = "berth",
    mixinStandardHelpOptions = true,
    versionProvider = BerthCli.Version.class,
    description = "Run containers and virtual machines with Berth.",
    subcommands = {VersionCommand.class, InfoCommand.class, CompletionCommand.class, VmCommand.class,
        CommandLine.HelpCommand.class},
    footer = {"", "Run 'berth COMMAND --help' for more information on a command."})
public final class BerthCli implements Runnable {
  /** The API version this CLI speaks; the daemon accepts 1.24 up to its own maximum. */
  public static final String API_VERSION = "1.51";

  @Option(names = {"-H", "--host"}, paramLabel = "ADDRESS",
      description = "Daemon socket to connect to: unix:///path or tcp://HOST:PORT "
          + "(default: $BERTH_HOST, else " + DaemonAddress.DEFAULT + ")")
  String host;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
  }

  /** Runs one command line; the streams are parameters so tests can capture them. */
  public static int run(String[] args, PrintWriter out, PrintWriter err) {
    CommandLine cli = commandLine();
    cli.setOut(out);
    cli.setErr(err);
    return cli.execute(args);
  }

  public static CommandLine commandLine() {
    CommandLine cli = new CommandLine(new BerthCli());
    // docker's shape for a usage error: the problem, a pointer to --help, exit 125.
    cli.setParameterExceptionHandler((e, args) -> {
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

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** A client for the daemon named by -H, BERTH_HOST or the default. */
  public DaemonClient client() {
    String spec = host != null ? host : System.getenv().getOrDefault("BERTH_HOST", DaemonAddress.DEFAULT);
    if (spec.isBlank()) {
      spec = DaemonAddress.DEFAULT;
    }
    return new DaemonClient(DaemonAddress.parse(spec), API_VERSION);
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"berth version " + CliVersion.version() + ", API " + API_VERSION};
    }
  }
}

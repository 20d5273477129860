package dev.berth.cli.command.network;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.cli.BerthCli;
import dev.berth.cli.client.DaemonClient;
import dev.berth.cli.client.DaemonException;
import dev.berth.cli.json.Json;
import dev.berth.cli.output.Confirm;
import dev.berth.cli.output.FilterFlags;
import dev.berth.cli.output.InspectOutput;
import dev.berth.cli.output.Listing;
import dev.berth.cli.output.OutputFormat;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code berth network ...}: docker's network commands, flags and columns. */
@Command(name = "network", mixinStandardHelpOptions = true, description = "Manage networks")
public final class NetworkCommand implements Runnable {

  public static CommandLine tree() {
    CommandLine c = new CommandLine(new NetworkCommand());
    c.addSubcommand("create", new Create());
    c.addSubcommand("ls", new CommandLine(new Ls()), "list");
    c.addSubcommand("inspect", new Inspect());
    c.addSubcommand("rm", new CommandLine(new Rm()), "remove");
    c.addSubcommand("prune", new Prune());
    c.addSubcommand("connect", new Connect());
    c.addSubcommand("disconnect", new Disconnect());
    return c;
  }

  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(),
        "'berth network' requires a subcommand: create, ls, inspect, rm, prune, connect, disconnect");
  }

  static DaemonClient client(CommandSpec spec) {
    return BerthCli.from(spec).client();
  }

  static String path(String nameOrId) {
    return "/networks/" + URLEncoder.encode(nameOrId, StandardCharsets.UTF_8);
  }

  static Map<String, String> keyValues(List<String> items, String flag) {
    Map<String, String> m = new LinkedHashMap<>();
    for (String s : items) {
      int eq = s.indexOf('=');
      m.put(eq < 0 ? s : s.substring(0, eq), eq < 0 ? "" : s.substring(eq + 1));
      if (s.isEmpty() || eq == 0) {
        throw new IllegalArgumentException("invalid " + flag + " " + s + ": use KEY=VALUE");
      }
    }
    return m;
  }

  @Command(name = "create", mixinStandardHelpOptions = true, description = "Create a network")
  static final class Create implements Callable<Integer> {
    @Option(names = {"-d", "--driver"}, description = "Driver to manage the Network (only bridge)", defaultValue = "bridge") String driver;
    @Option(names = "--subnet", description = "Subnet in CIDR format that represents a network segment") String subnet;
    @Option(names = "--gateway", description = "IPv4 Gateway for the master subnet") String gateway;
    @Option(names = "--ip-range", description = "Allocate container ip from a sub-range") String ipRange;
    @Option(names = "--internal", description = "Restrict external access to the network") boolean internal;
    @Option(names = "--label", description = "Set metadata on a network") List<String> labels = new ArrayList<>();
    @Option(names = {"-o", "--opt"}, description = "Set driver specific options") List<String> opts = new ArrayList<>();
    @Parameters(index = "0", paramLabel = "NETWORK") String name;
    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      ObjectNode body = Json.object();
      body.put("Name", name);
      body.put("Driver", driver);
      body.put("Internal", internal);
      body.put("CheckDuplicate", true);
      ObjectNode ipam = body.putObject("IPAM");
      ipam.put("Driver", "default");
      ArrayNode config = ipam.putArray("Config");
      if (subnet != null || gateway != null || ipRange != null) {
        ObjectNode c = config.addObject();
        if (subnet != null) {
          c.put("Subnet", subnet);
        }
        if (gateway != null) {
          c.put("Gateway", gateway);
        }
        if (ipRange != null) {
          c.put("IPRange", ipRange);
        }
      }
      keyValues(labels, "--label").forEach(body.putObject("Labels")::put);
      keyValues(opts, "--opt").forEach(body.putObject("Options")::put);
      JsonNode r = client(spec).json("POST", "/networks/create", body);
      spec.commandLine().getOut().println(r.path("Id").asText());
      spec.commandLine().getOut().flush();
      return 0;
    }
  }

  @Command(name = "ls", mixinStandardHelpOptions = true, description = "List networks")
  static final class Ls implements Callable<Integer> {
    @Option(names = {"-q", "--quiet"}, description = "Only display network IDs") boolean quiet;
    @Option(names = "--no-trunc", description = "Do not truncate the output") boolean noTrunc;
    @Option(names = {"-f", "--filter"}, description = "Provide filter values (e.g. driver=bridge, name=, label=, type=custom)") List<String> filters = new ArrayList<>();
    @Option(names = "--format", description = "table (default), json, or a Go template") String format;
    @Spec CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      OutputFormat output = OutputFormat.parse(format);
      JsonNode list = client(spec).json("GET", "/networks" + DaemonClient.query(Map.of("filters",
          Json.write(FilterFlags.parse(filters)))), null);
      List<JsonNode> rows = new ArrayList<>();
      for (JsonNode n : list) {
        String id = n.path("Id").asText();
        if (quiet) {
          spec.commandLine().getOut().println(noTrunc ? id : id.substring(0, 12));
          continue;
        }
        ObjectNode row = Json.object();
        row.put("ID", noTrunc ? id : id.substring(0, 12));
        row.put("Name", n.path("Name").asText());
        row.put("Driver", n.path("Driver").asText());
        row.put("Scope", n.path("Scope").asText());
        row.put("IPv6", Boolean.toString(n.path("EnableIPv6").asBoolean()));
        row.put("Internal", Boolean.toString(n.path("Internal").asBoolean()));
        row.put("CreatedAt", n.path("Created").asText());
        List<String> labels = new ArrayList<>();
        n.path("Labels").fields().forEachRemaining(e -> labels.add(e.getKey() + "=" + e.getValue().asText()));
        row.put("Labels", String.join(",", labels));
        rows.add(row);
      }
      if (!quiet) {
        new Listing(List.of(new Listing.Column("NETWORK ID", "ID"), new Listing.Column("NAME", "Name"),
            new Listing.Column("DRIVER", "Driver"), new Listing.Column("SCOPE", "Scope")))
            .print(output, rows, spec.commandLine().getOut());
      }
      spec.commandLine().getOut().flush();
      return 0;
    }
  }

  @Command(name = "inspect", mixinStandardHelpOptions = true, description = "Display detailed information on one or more networks")
  static final class Inspect implements Callable<Integer> {
    @Option(names = {"-f", "--format"}, description = "Format the output using a Go template") String format;
    @Parameters(arity = "1..*", paramLabel = "NETWORK") List<String> names;
    @Spec CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      InspectOutput output = new InspectOutput(OutputFormat.parse(format), spec.commandLine().getOut());
      int exit = 0;
      for (String name : names) {
        JsonNode n;
        try {
          n = client(spec).json("GET", path(name), null);
        } catch (DaemonException e) {
          if (e.status() != 404) {
            throw e;
          }
          spec.commandLine().getErr().println("Error response from daemon: network " + name + " not found");
          exit = 1;
          continue;
        }
        output.add(n);
      }
      output.finish();
      spec.commandLine().getErr().flush();
      return exit;
    }
  }

  @Command(name = "rm", mixinStandardHelpOptions = true, description = "Remove one or more networks")
  static final class Rm implements Callable<Integer> {
    @Option(names = {"-f", "--force"}, description = "Do not error if the network does not exist") boolean force;
    @Parameters(arity = "1..*", paramLabel = "NETWORK") List<String> names;
    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      int exit = 0;
      for (String name : names) {
        try {
          client(spec).json("DELETE", path(name), null);
          spec.commandLine().getOut().println(name);
        } catch (DaemonException e) {
          if (force && e.status() == 404) {
            continue;
          }
          spec.commandLine().getErr().println("Error response from daemon: " + e.getMessage());
          exit = 1;
        }
      }
      spec.commandLine().getOut().flush();
      spec.commandLine().getErr().flush();
      return exit;
    }
  }

  @Command(name = "prune", mixinStandardHelpOptions = true, description = "Remove all unused networks")
  static final class Prune implements Callable<Integer> {
    @Option(names = {"-f", "--force"}, description = "Do not prompt for confirmation") boolean force;
    @Option(names = "--filter", description = "Provide filter values (e.g. label=<key>=<value>)") List<String> filters = new ArrayList<>();
    @Spec CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      if (!force && !Confirm.proceed(spec.commandLine().getOut(),
          "WARNING! This will remove all custom networks not used by at least one container.\n")) {
        return 0;
      }
      JsonNode r = client(spec).json("POST", "/networks/prune" + DaemonClient.query(Map.of("filters",
          Json.write(FilterFlags.parse(filters)))), null);
      if (r.path("NetworksDeleted").size() > 0) {
        spec.commandLine().getOut().println("Deleted Networks:");
        r.path("NetworksDeleted").forEach(n -> spec.commandLine().getOut().println(n.asText()));
      }
      spec.commandLine().getOut().flush();
      return 0;
    }
  }

  @Command(name = "connect", mixinStandardHelpOptions = true, description = "Connect a container to a network")
  static final class Connect implements Callable<Integer> {
    @Option(names = "--alias", description = "Add network-scoped alias for the container") List<String> aliases = new ArrayList<>();
    @Option(names = "--ip", description = "IPv4 address (e.g., 172.30.100.104)") String ip;
    @Parameters(index = "0", paramLabel = "NETWORK") String network;
    @Parameters(index = "1", paramLabel = "CONTAINER") String container;
    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      ObjectNode body = Json.object();
      body.put("Container", container);
      ObjectNode ep = body.putObject("EndpointConfig");
      aliases.forEach(ep.putArray("Aliases")::add);
      if (ip != null) {
        ep.putObject("IPAMConfig").put("IPv4Address", ip);
      }
      client(spec).json("POST", path(network) + "/connect", body);
      return 0;
    }
  }

  @Command(name = "disconnect", mixinStandardHelpOptions = true, description = "Disconnect a container from a network")
  static final class Disconnect implements Callable<Integer> {
    @Option(names = {"-f", "--force"}, description = "Force the container to disconnect from a network") boolean force;
    @Parameters(index = "0", paramLabel = "NETWORK") String network;
    @Parameters(index = "1", paramLabel = "CONTAINER") String container;
    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      ObjectNode body = Json.object();
      body.put("Container", container);
      body.put("Force", force);
      client(spec).json("POST", path(network) + "/disconnect", body);
      return 0;
    }
  }
}

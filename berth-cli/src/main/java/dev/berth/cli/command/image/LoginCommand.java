package dev.berth.cli.command.image;

import dev.berth.cli.auth.Credentials;
import java.io.BufferedReader;
import java.io.Console;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code berth login}: checks a login with the registry (through the daemon) and stores it like docker. */
@Command(name = "login", mixinStandardHelpOptions = true,
    description = {"Log in to a registry.", "Credentials are stored in $DOCKER_CONFIG/config.json "
        + "(default ~/.docker/config.json), shared with the docker CLI."})
public final class LoginCommand implements Callable<Integer> {
  @Option(names = {"-u", "--username"}, paramLabel = "USER")
  String username;

  @Option(names = {"-p", "--password"}, paramLabel = "PASSWORD", description = "Password (prefer --password-stdin)")
  String password;

  @Option(names = "--password-stdin", description = "Take the password from stdin")
  boolean passwordStdin;

  @Parameters(arity = "0..1", paramLabel = "SERVER", description = "Registry host[:port] (default: Docker Hub)")
  String server;

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    String domain = server == null ? "docker.io" : server.replaceFirst("^https?://", "").replaceFirst("/.*$", "");
    Console console = System.console();
    if (password != null && passwordStdin) {
      throw new IllegalArgumentException("--password and --password-stdin are mutually exclusive");
    }
    if (password != null) {
      ImageCommands.err(spec).println("WARNING! Using --password via the CLI is insecure. Use --password-stdin.");
    }
    if (passwordStdin) {
      if (username == null) {
        throw new IllegalArgumentException("must provide --username with --password-stdin");
      }
      password = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
    }
    if (username == null) {
      if (console == null) {
        throw new IllegalArgumentException("cannot prompt for a username without a terminal; use --username");
      }
      username = console.readLine("Username: ");
    }
    if (password == null) {
      if (console == null) {
        throw new IllegalArgumentException("cannot prompt for a password without a terminal; use --password-stdin");
      }
      char[] typed = console.readPassword("Password: ");
      password = typed == null ? "" : new String(typed);
    }
    if (username == null || username.isBlank() || password == null || password.isEmpty()) {
      throw new IllegalArgumentException("username and password are required");
    }
    ImageCommands.client(spec).json("POST", "/auth",
        Map.of("username", username, "password", password, "serveraddress", domain));
    Credentials.fromEnvironment().put(domain, new Credentials.Login(username, password));
    ImageCommands.out(spec).println("Login Succeeded");
    ImageCommands.out(spec).flush();
    return 0;
  }
}

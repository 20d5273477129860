package dev.berth.cli.command.image;

import dev.berth.cli.auth.Credentials;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code berth logout}: forget a stored registry login. */
@Command(name = "logout", mixinStandardHelpOptions = true, description = "Log out from a registry")
public final class LogoutCommand implements Callable<Integer> {
  @Parameters(arity = "0..1", paramLabel = "SERVER", description = "Registry host[:port] (default: Docker Hub)")
  String server;

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() {
    String domain = server == null ? "docker.io" : server.replaceFirst("^https?://", "").replaceFirst("/.*$", "");
    if (Credentials.fromEnvironment().remove(domain)) {
      ImageCommands.out(spec).println("Removing login credentials for " + domain);
    } else {
      ImageCommands.out(spec).println("Not logged in to " + domain);
    }
    ImageCommands.out(spec).flush();
    return 0;
  }
}

package dev.berth.cli.command.image;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.cli.BerthCli;
import dev.berth.cli.client.DaemonClient;
import dev.berth.cli.output.JsonMessages;
import java.io.IOException;
import java.io.PrintWriter;
import picocli.CommandLine.Model.CommandSpec;

/** What the image commands share: the client, terminal detection, docker's units. */
final class ImageCommands {
  private ImageCommands() {}

  static DaemonClient client(CommandSpec spec) {
    return BerthCli.from(spec).client();
  }

  static PrintWriter out(CommandSpec spec) {
    return spec.commandLine().getOut();
  }

  static PrintWriter err(CommandSpec spec) {
    return spec.commandLine().getErr();
  }

  static boolean terminal() {
    return System.console() != null && System.console().isTerminal();
  }

  /** Renders a progress stream; a stream that ends in an error exits 1 with the daemon's words. */
  static JsonMessages.Outcome render(CommandSpec spec, DaemonClient.Response response, boolean quiet)
      throws IOException {
    JsonMessages.Outcome outcome = new JsonMessages(out(spec), terminal(), quiet).render(response.body());
    if (outcome.failed()) {
      throw new dev.berth.cli.client.DaemonException(500, outcome.error());
    }
    return outcome;
  }

  /** Docker's short image ID: 12 hex characters without the algorithm. */
  static String shortId(String id) {
    String hex = id.startsWith("sha256:") ? id.substring(7) : id;
    return hex.length() > 12 ? hex.substring(0, 12) : hex;
  }

  /** Docker's decimal sizes with 3 significant digits ("2.13MB"). */
  static String size(long bytes) {
    return dev.berth.cli.output.Units.bytesDecimal(bytes);
  }


  static String text(JsonNode node) {
    return node == null || node.isNull() || node.isMissingNode() ? "" : node.asText();
  }
}

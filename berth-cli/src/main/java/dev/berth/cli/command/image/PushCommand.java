package dev.berth.cli.command.image;

import dev.berth.cli.client.DaemonClient;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code berth push}: upload an image to a registry. */
@Command(name = "push", mixinStandardHelpOptions = true, description = "Upload an image to a registry")
public final class PushCommand implements Callable<Integer> {
  @Option(names = {"-q", "--quiet"}, description = "Suppress verbose output")
  boolean quiet;

  @Option(names = {"-a", "--all-tags"}, description = "Push all tags of the repository")
  boolean allTags;

  @Parameters(paramLabel = "NAME[:TAG]", description = "The image to push")
  String name;

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    push(spec, name, allTags, quiet);
    return 0;
  }

  /** Pushes {@code name} with the credentials docker's config.json holds for its registry. */
  public static void push(CommandSpec spec, String name, boolean allTags, boolean quiet) throws java.io.IOException {
    String[] repoTag = Registries.repoAndTag(name);
    if (repoTag[1].isEmpty() && !allTags) {
      repoTag[1] = "latest";
      if (!quiet) {
        ImageCommands.out(spec).println("Using default tag: latest");
      }
    }
    Map<String, String> query = new LinkedHashMap<>();
    query.put("tag", repoTag[1]);
    try (DaemonClient.Response r = ImageCommands.client(spec).callChecked("POST",
        "/images/" + encode(repoTag[0]) + "/push" + DaemonClient.query(query), Registries.authHeader(name),
        new DaemonClient.Body.None())) {
      ImageCommands.render(spec, r, quiet);
    }
    if (quiet) {
      ImageCommands.out(spec).println(repoTag[1].isEmpty() ? repoTag[0] : repoTag[0] + ":" + repoTag[1]);
      ImageCommands.out(spec).flush();
    }
  }

  static String encode(String name) {
    return java.net.URLEncoder.encode(name, java.nio.charset.StandardCharsets.UTF_8);
  }
}

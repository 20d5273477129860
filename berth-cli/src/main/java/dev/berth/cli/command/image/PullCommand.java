package dev.berth.cli.command.image;

import dev.berth.cli.client.DaemonClient;
import dev.berth.cli.command.CodedOptions;
import dev.berth.cli.output.JsonMessages;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code berth pull}: download an image from a registry, with per-layer progress. Declared in
 * code, not by annotations (see {@link CodedOptions}): its start-up is part of every pull.
 */
public final class PullCommand implements Callable<Integer> {
  private final CommandSpec spec = CommandSpec.wrapWithoutInspection(this).name("pull");
  private final CodedOptions declared = new CodedOptions(spec);
  private boolean quiet;
  private String platform;
  private String name;

  public PullCommand() {
    spec.usageMessage().description("Download an image from a registry");
    declared.usageHelp("-h", "--help");
    declared.flag("Suppress verbose output", v -> quiet = v, "-q", "--quiet");
    declared.value(String.class, "OS/ARCH[/VARIANT]", "Platform to pull, e.g. linux/arm64", v -> platform = v,
        "--platform");
    declared.positional(0, "NAME[:TAG|@DIGEST]", "The image to pull", v -> name = v);
  }

  /** The command's model, for picocli. */
  public CommandSpec spec() {
    return spec;
  }

  @Override
  public Integer call() throws Exception {
    declared.read();
    String[] repoTag = Registries.repoAndTag(name);
    if (repoTag[1].isEmpty()) {
      repoTag[1] = "latest";
      if (!quiet) {
        ImageCommands.out(spec).println("Using default tag: latest");
      }
    }
    Map<String, String> query = new LinkedHashMap<>();
    query.put("fromImage", repoTag[0]);
    query.put("tag", repoTag[1]);
    query.put("platform", platform);
    try (DaemonClient.Response r = ImageCommands.client(spec).callChecked("POST",
        "/images/create" + DaemonClient.query(query), Registries.authHeader(name), new DaemonClient.Body.None())) {
      ImageCommands.render(spec, r, quiet);
    }
    if (quiet) {
      String sep = repoTag[1].startsWith("sha256:") ? "@" : ":";
      String full = Registries.domainOf(name).equals("docker.io") && !name.startsWith("docker.io/")
          ? "docker.io/" + (repoTag[0].contains("/") ? "" : "library/") + repoTag[0] : repoTag[0];
      ImageCommands.out(spec).println(full + sep + repoTag[1]);
      ImageCommands.out(spec).flush();
    }
    return 0;
  }

  /** docker run's implicit pull: the image named as {@code run} got it, progress on stderr. */
  public static void pullFor(CommandSpec spec, String name) throws java.io.IOException {
    String[] repoTag = Registries.repoAndTag(name);
    Map<String, String> query = new LinkedHashMap<>();
    query.put("fromImage", repoTag[0]);
    query.put("tag", repoTag[1].isEmpty() ? "latest" : repoTag[1]);
    try (DaemonClient.Response r = ImageCommands.client(spec).callChecked("POST",
        "/images/create" + DaemonClient.query(query), Registries.authHeader(name), new DaemonClient.Body.None())) {
      JsonMessages.Outcome outcome = new JsonMessages(ImageCommands.err(spec), false, false).render(r.body());
      if (outcome.failed()) {
        throw new dev.berth.cli.client.DaemonException(500, outcome.error());
      }
    }
  }
}

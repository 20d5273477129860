package dev.berth.cli.command.image;

import dev.berth.cli.client.DaemonClient;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code berth tag SOURCE TARGET}. */
@Command(name = "tag", mixinStandardHelpOptions = true,
    description = "Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE")
public final class TagCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "SOURCE_IMAGE[:TAG]")
  String source;

  @Parameters(index = "1", paramLabel = "TARGET_IMAGE[:TAG]")
  String target;

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() {
    String[] repoTag = Registries.repoAndTag(target);
    Map<String, String> query = new LinkedHashMap<>();
    query.put("repo", repoTag[0]);
    query.put("tag", repoTag[1].isEmpty() ? "latest" : repoTag[1]);
    ImageCommands.client(spec).json("POST", "/images/" + PushCommand.encode(source) + "/tag" + DaemonClient.query(query), null);
    return 0;
  }
}

package dev.berth.cli.command.image;

import dev.berth.cli.client.DaemonClient;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code berth import}: a root filesystem tarball becomes an image. */
@Command(name = "import", mixinStandardHelpOptions = true,
    description = "Import the contents from a tarball to create a filesystem image")
public final class ImportCommand implements Callable<Integer> {
  @Option(names = {"-c", "--change"}, paramLabel = "INSTRUCTION",
      description = "Apply a Dockerfile instruction: CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, USER, VOLUME, WORKDIR")
  List<String> changes = new ArrayList<>();

  @Option(names = {"-m", "--message"}, paramLabel = "MESSAGE", description = "Set commit message for imported image")
  String message;

  @Parameters(index = "0", paramLabel = "FILE|-", description = "A tar archive (plain, gzip or zstd), or - for STDIN")
  String source;

  @Parameters(index = "1", arity = "0..1", paramLabel = "REPOSITORY[:TAG]")
  String reference;

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    if (source.contains("://")) {
      throw new IllegalArgumentException("importing from a URL is not supported: download it and import the file");
    }
    if (!source.equals("-") && !Files.isReadable(Path.of(source))) {
      throw new IllegalArgumentException("cannot read " + source + ": no such file or not readable");
    }
    StringBuilder query = new StringBuilder("?fromSrc=-");
    if (reference != null) {
      String[] repoTag = Registries.repoAndTag(reference);
      query.append("&repo=").append(PushCommand.encode(repoTag[0]));
      if (!repoTag[1].isEmpty()) {
        query.append("&tag=").append(PushCommand.encode(repoTag[1]));
      }
    }
    changes.forEach(c -> query.append("&changes=").append(PushCommand.encode(c)));
    if (message != null) {
      query.append("&message=").append(PushCommand.encode(message));
    }
    try (InputStream in = source.equals("-") ? System.in : Files.newInputStream(Path.of(source));
        DaemonClient.Response r = ImageCommands.client(spec).callChecked("POST", "/images/create" + query,
            java.util.Map.of(), new DaemonClient.Body.Stream("application/x-tar", in))) {
      ImageCommands.render(spec, r, false);
    }
    return 0;
  }
}

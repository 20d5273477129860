package dev.berth.cli.command.image;

import dev.berth.cli.client.DaemonClient;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code berth save}: images to a tar archive (STDOUT by default), loadable by docker load. */
@Command(name = "save", mixinStandardHelpOptions = true,
    description = "Save one or more images to a tar archive (streamed to STDOUT by default)")
public final class SaveCommand implements Callable<Integer> {
  @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Write to a file, instead of STDOUT")
  Path output;

  @Parameters(arity = "1..*", paramLabel = "IMAGE")
  List<String> images;

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    if (output == null && ImageCommands.terminal()) {
      throw new IllegalArgumentException("cowardly refusing to save to a terminal. Use the -o flag or redirect");
    }
    List<String> query = new ArrayList<>();
    images.forEach(i -> query.add("names=" + PushCommand.encode(i)));
    try (DaemonClient.Response r = ImageCommands.client(spec).callChecked("GET",
        "/images/get?" + String.join("&", query), Map.of(), new DaemonClient.Body.None())) {
      if (output == null) {
        OutputStream stdout = new FileOutputStream(FileDescriptor.out);
        r.body().transferTo(stdout);
        stdout.flush();
      } else {
        // Written next to the target and renamed, so a failed save leaves no half archive.
        Path temp = Files.createTempFile(output.toAbsolutePath().getParent(), ".berth-save", ".tmp");
        try {
          try (OutputStream out = Files.newOutputStream(temp)) {
            r.body().transferTo(out);
          }
          Files.move(temp, output, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
          Files.deleteIfExists(temp);
        }
      }
    }
    return 0;
  }
}

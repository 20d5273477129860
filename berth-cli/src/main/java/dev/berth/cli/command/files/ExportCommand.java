package dev.berth.cli.command.files;

import dev.berth.cli.BerthCli;
import dev.berth.cli.client.DaemonClient;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.OutputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code berth export}: a container's filesystem as a tar archive. */
@Command(name = "export", mixinStandardHelpOptions = true,
    description = "Export a container's filesystem as a tar archive")
public final class ExportCommand implements Callable<Integer> {
  @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Write to a file, instead of STDOUT")
  Path output;

  @Parameters(index = "0", paramLabel = "CONTAINER") String container;
  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    if (output == null && System.console() != null && System.console().isTerminal()) {
      throw new IllegalArgumentException("cowardly refusing to save to a terminal. Use the -o flag or redirect");
    }
    try (DaemonClient.Response r = BerthCli.from(spec).client().callChecked("GET",
        "/containers/" + URLEncoder.encode(container, StandardCharsets.UTF_8) + "/export", Map.of(),
        new DaemonClient.Body.None())) {
      if (output == null) {
        OutputStream stdout = new FileOutputStream(FileDescriptor.out);
        r.body().transferTo(stdout);
        stdout.flush();
        return 0;
      }
      // Written beside the target and renamed, so a failed export leaves no half archive.
      Path temp = Files.createTempFile(output.toAbsolutePath().getParent(), ".berth-export", ".tmp");
      try {
        try (OutputStream out = Files.newOutputStream(temp)) {
          r.body().transferTo(out);
        }
        Files.move(temp, output, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } finally {
        Files.deleteIfExists(temp);
      }
    }
    return 0;
  }
}

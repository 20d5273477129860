package dev.berth.cli.command.container;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** The storage options of {@code run} and {@code create} (volumes, bind mounts, tmpfs). */
public final class StorageOptions {
  @Option(names = {"-v", "--volume"}, description = "Bind mount a volume") List<String> volumes = new ArrayList<>();

  void addTo(ObjectNode body, ObjectNode host) {
    volumes.forEach(host.putArray("Binds")::add);
  }
}

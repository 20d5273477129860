package dev.berth.cli.command.vm;

import dev.berth.cli.client.DaemonClient;
import dev.berth.cli.client.Streams;
import dev.berth.cli.json.Json;
import java.io.IOException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code berth vm logs}: the VM's serial console output, as logged by QEMU. */
@Command(name = "logs", mixinStandardHelpOptions = true, description = "Show a VM's serial console output")
final class VmLogsCommand implements Callable<Integer> {
  @ParentCommand
  VmCommand vm;

  @Option(names = {"-f", "--follow"}, description = "Follow the output until the VM stops")
  boolean follow;

  @Parameters(paramLabel = "VM", description = "VM name or ID")
  String ref;

  @Override
  public Integer call() throws IOException {
    String path = VmCommand.vmPath(ref, "logs") + (follow ? "?follow=1" : "");
    try (DaemonClient.Response r = vm.client().request("GET", path, null)) {
      if (r.status() != 200) {
        byte[] body = r.bytes();
        String message;
        try {
          message = Json.parse(body).path("message").asText(new String(body));
        } catch (IOException notJson) {
          message = new String(body);
        }
        throw new dev.berth.cli.client.DaemonException(r.status(), message);
      }
      // Raw bytes straight to stdout: the serial console is a byte stream, not lines of text.
      Streams.copyFlushing(r.body(), System.out);
    }
    return 0;
  }
}

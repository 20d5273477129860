package dev.berth.cli.command.container;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.cli.json.Json;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code berth update}: docker's flags, one {@code POST /containers/{id}/update} per container. */
@Command(name = "update", mixinStandardHelpOptions = true,
    description = "Update configuration of one or more containers")
public final class UpdateCommand implements Callable<Integer> {
  @Option(names = {"-m", "--memory"}, paramLabel = "<bytes>", description = "Memory limit") String memory;
  @Option(names = "--memory-swap", paramLabel = "<bytes>",
      description = "Swap limit equal to memory plus swap: -1 to enable unlimited swap") String memorySwap;
  @Option(names = "--memory-reservation", paramLabel = "<bytes>", description = "Memory soft limit")
  String memoryReservation;
  @Option(names = "--kernel-memory", paramLabel = "<bytes>", description = "Kernel memory limit (deprecated)")
  String kernelMemory;
  @Option(names = "--cpus", paramLabel = "<decimal>", description = "Number of CPUs") String cpus;
  @Option(names = {"-c", "--cpu-shares"}, paramLabel = "<int>", description = "CPU shares (relative weight)")
  Long cpuShares;
  @Option(names = "--cpu-period", paramLabel = "<int>", description = "Limit CPU CFS (Completely Fair Scheduler) period")
  Long cpuPeriod;
  @Option(names = "--cpu-quota", paramLabel = "<int>", description = "Limit CPU CFS (Completely Fair Scheduler) quota")
  Long cpuQuota;
  @Option(names = "--cpuset-cpus", paramLabel = "<string>", description = "CPUs in which to allow execution (0-3, 0,1)")
  String cpusetCpus;
  @Option(names = "--cpuset-mems", paramLabel = "<string>", description = "MEMs in which to allow execution (0-3, 0,1)")
  String cpusetMems;
  @Option(names = "--pids-limit", paramLabel = "<int>", description = "Tune container pids limit (set -1 for unlimited)")
  Long pidsLimit;
  @Option(names = "--blkio-weight", paramLabel = "<uint16>",
      description = "Block IO (relative weight), between 10 and 1000, or 0 to disable") Long blkioWeight;
  @Option(names = "--restart", paramLabel = "<string>", description = "Restart policy to apply when a container exits")
  String restart;
  @Parameters(arity = "1..*", paramLabel = "CONTAINER") List<String> containers;
  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    JsonNode body = body();
    return EachContainer.run(spec, containers, c -> {
      JsonNode answer = ContainerCommands.client(spec).json("POST", ContainerCommands.path(c) + "/update", body);
      for (JsonNode w : answer.path("Warnings")) {
        spec.commandLine().getErr().println("WARNING: " + w.asText());
      }
    });
  }

  /** The request body, as docker builds it: only what a flag set. */
  ObjectNode body() {
    ObjectNode b = Json.object();
    if (memory != null) {
      b.put("Memory", ContainerOptions.bytes("--memory", memory));
    }
    if (memorySwap != null) {
      b.put("MemorySwap", memorySwap.strip().equals("-1") ? -1 : ContainerOptions.bytes("--memory-swap", memorySwap));
    }
    if (memoryReservation != null) {
      b.put("MemoryReservation", ContainerOptions.bytes("--memory-reservation", memoryReservation));
    }
    if (kernelMemory != null) {
      b.put("KernelMemory", ContainerOptions.bytes("--kernel-memory", kernelMemory));
    }
    if (cpus != null) {
      b.put("NanoCpus", ContainerOptions.nanoCpus(cpus));
    }
    if (cpuShares != null) {
      b.put("CpuShares", cpuShares);
    }
    if (cpuPeriod != null) {
      b.put("CpuPeriod", cpuPeriod);
    }
    if (cpuQuota != null) {
      b.put("CpuQuota", cpuQuota);
    }
    if (cpusetCpus != null) {
      b.put("CpusetCpus", cpusetCpus);
    }
    if (cpusetMems != null) {
      b.put("CpusetMems", cpusetMems);
    }
    if (pidsLimit != null) {
      b.put("PidsLimit", pidsLimit);
    }
    if (blkioWeight != null) {
      b.put("BlkioWeight", blkioWeight);
    }
    if (restart != null) {
      String[] parts = restart.split(":", 2);
      ObjectNode policy = b.putObject("RestartPolicy");
      policy.put("Name", parts[0]);
      if (parts.length == 2) {
        try {
          policy.put("MaximumRetryCount", Integer.parseInt(parts[1]));
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException("invalid restart policy format: maximum retry count must be an integer");
        }
      }
    }
    return b;
  }
}

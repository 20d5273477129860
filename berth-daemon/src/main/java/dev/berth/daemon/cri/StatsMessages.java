package dev.berth.daemon.cri;

import static dev.berth.daemon.cri.SandboxMessages.nanos;

import dev.berth.cri.api.v1.ContainerAttributes;
import dev.berth.cri.api.v1.ContainerStats;
import dev.berth.cri.api.v1.CpuUsage;
import dev.berth.cri.api.v1.FilesystemIdentifier;
import dev.berth.cri.api.v1.FilesystemUsage;
import dev.berth.cri.api.v1.LinuxPodSandboxStats;
import dev.berth.cri.api.v1.MemoryUsage;
import dev.berth.cri.api.v1.NetworkInterfaceUsage;
import dev.berth.cri.api.v1.NetworkUsage;
import dev.berth.cri.api.v1.PodSandboxAttributes;
import dev.berth.cri.api.v1.ProcessUsage;
import dev.berth.cri.api.v1.UInt64Value;
import dev.berth.engine.pod.PodContainerStats;
import dev.berth.engine.pod.PodSandboxStats;

/** The engine's pod and container stats as CRI v1's stats messages. */
final class StatsMessages {
  private StatsMessages() {}

  static ContainerStats container(PodContainerStats s) {
    long at = nanos(s.timestamp());
    return ContainerStats.newBuilder()
        .setAttributes(ContainerAttributes.newBuilder().setId(s.id())
            .setMetadata(ContainerMessages.metadata(s.metadata())).putAllLabels(s.labels())
            .putAllAnnotations(s.annotations()))
        .setCpu(CpuUsage.newBuilder().setTimestamp(at).setUsageCoreNanoSeconds(u64(s.cpuUsageCoreNanos())))
        .setMemory(MemoryUsage.newBuilder().setTimestamp(at).setWorkingSetBytes(u64(s.memoryWorkingSetBytes()))
            .setUsageBytes(u64(s.memoryUsageBytes())).setRssBytes(u64(s.memoryRssBytes()))
            .setPageFaults(u64(s.pageFaults())).setMajorPageFaults(u64(s.majorPageFaults())))
        .setWritableLayer(FilesystemUsage.newBuilder().setTimestamp(at)
            .setFsId(FilesystemIdentifier.newBuilder().setMountpoint(s.fsMountpoint()))
            .setUsedBytes(u64(s.writableLayerBytes())).setInodesUsed(u64(s.writableLayerInodes())))
        .build();
  }

  static dev.berth.cri.api.v1.PodSandboxStats sandbox(PodSandboxStats s) {
    long at = nanos(s.timestamp());
    NetworkUsage.Builder network = NetworkUsage.newBuilder().setTimestamp(at);
    for (int i = 0; i < s.interfaces().size(); i++) {
      PodSandboxStats.Interface nic = s.interfaces().get(i);
      NetworkInterfaceUsage usage = NetworkInterfaceUsage.newBuilder().setName(nic.name())
          .setRxBytes(u64(nic.rxBytes())).setRxErrors(u64(nic.rxErrors()))
          .setTxBytes(u64(nic.txBytes())).setTxErrors(u64(nic.txErrors())).build();
      if (i == 0) {
        network.setDefaultInterface(usage);
      }
      network.addInterfaces(usage);
    }
    return dev.berth.cri.api.v1.PodSandboxStats.newBuilder()
        .setAttributes(PodSandboxAttributes.newBuilder().setId(s.id())
            .setMetadata(SandboxMessages.metadata(s.metadata())).putAllLabels(s.labels())
            .putAllAnnotations(s.annotations()))
        .setLinux(LinuxPodSandboxStats.newBuilder()
            .setCpu(CpuUsage.newBuilder().setTimestamp(at).setUsageCoreNanoSeconds(u64(s.cpuUsageCoreNanos())))
            .setMemory(MemoryUsage.newBuilder().setTimestamp(at).setWorkingSetBytes(u64(s.memoryWorkingSetBytes()))
                .setUsageBytes(u64(s.memoryUsageBytes())))
            .setNetwork(network)
            .setProcess(ProcessUsage.newBuilder().setTimestamp(at).setProcessCount(u64(s.processCount())))
            .addAllContainers(s.containers().stream().map(StatsMessages::container).toList()))
        .build();
  }

  private static UInt64Value u64(long value) {
    return UInt64Value.newBuilder().setValue(Math.max(0, value)).build();
  }
}

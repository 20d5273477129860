package dev.berth.engine.container;

import dev.berth.engine.runtime.spec.Spec;
import dev.berth.engine.runtime.spec.SpecJson;
import dev.berth.engine.stats.CgroupReader;
import dev.berth.engine.stats.CgroupStats;
import dev.berth.engine.stats.ContainerStats;
import dev.berth.engine.stats.HostCpu;
import dev.berth.engine.stats.HostMemory;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Instant;
import java.util.Map;

/** A container's resource use for {@code stats}: its cgroup's counters and its network interfaces. */
public final class ContainerMetrics {
  private final ContainerStore store;

  ContainerMetrics(ContainerStore store) {
    this.store = store;
  }

  /**
   * Reads the container's cgroup (at the spec's linux.cgroupsPath, under each v1 controller or
   * in the v2 tree) together with the host's CPU time, so two readings give Docker's CPU %.
   */
  public ContainerStats stats(String nameOrId) {
    Container c = store.find(nameOrId);
    HostCpu host = HostCpu.read(HostCpu.PROC_STAT);
    Instant now = store.clock.instant();
    CgroupStats cgroup = null;
    Map<String, dev.berth.engine.stats.NetDev.Counters> interfaces = Map.of();
    if (c.running()) {
      CgroupReader reader = CgroupReader.forPath(CgroupReader.DEFAULT_ROOT, cgroupsPath(c.id()));
      if (reader.exists()) {
        cgroup = reader.read();
      }
      // Only a namespace of its own: host mode would show the host's, a microVM's pid is QEMU's.
      if (!c.config().networkMode().equals("host") && !VmIsolation.isVm(c.config())
          && c.state() instanceof ContainerState.Running r) {
        interfaces = dev.berth.engine.stats.NetDev.ofProcess(r.pid());
      }
    }
    return new ContainerStats(c.id(), c.name(), now, cgroup, host, HostMemory.total(), interfaces);
  }

  private String cgroupsPath(String id) {
    try {
      Spec spec = SpecJson.read(Files.readAllBytes(store.dir(id).resolve("config.json")), Spec.class);
      if (spec.linux() != null && spec.linux().cgroupsPath() != null) {
        return spec.linux().cgroupsPath();
      }
    } catch (IOException | RuntimeException e) {
      // no bundle (never started): the default path finds nothing either
    }
    return "/berth/" + id;
  }
}

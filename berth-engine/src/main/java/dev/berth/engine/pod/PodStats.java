package dev.berth.engine.pod;

import dev.berth.engine.container.Container;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

/** CRI's stats calls: ContainerStats, ListContainerStats, PodSandboxStats, ListPodSandboxStats. */
public final class PodStats {
  private final PodRecords records;
  private final PodStatistics statistics;
  private final Supplier<Map<String, Container>> containersById;
  private final Function<SandboxRecord, Optional<Container>> infraOf;

  PodStats(PodRecords records, PodStatistics statistics, Supplier<Map<String, Container>> containersById,
      Function<SandboxRecord, Optional<Container>> infraOf) {
    this.records = records;
    this.statistics = statistics;
    this.containersById = containersById;
    this.infraOf = infraOf;
  }

  public PodContainerStats container(String containerId) {
    ContainerRecord r = records.requireContainer(containerId);
    return statistics.container(r.id(), r.spec().metadata(), r.spec().labels(), r.annotations());
  }

  public List<PodContainerStats> containers(ContainerFilter filter) {
    Map<String, Container> byId = containersById.get();
    List<PodContainerStats> out = new ArrayList<>();
    for (ContainerRecord r : records.containers()) {
      Container c = byId.get(r.id());
      if (c != null && c.running() && PodService.matches(r, filter)) {
        out.add(statistics.container(r.id(), r.spec().metadata(), r.spec().labels(), r.annotations()));
      }
    }
    return out;
  }

  public PodSandboxStats sandbox(String sandboxId) {
    SandboxRecord r = records.requireSandbox(sandboxId);
    if (!r.pinned()) {
      infraOf.apply(r).orElseThrow(() -> PodRecords.sandboxNotFound(sandboxId));
    }
    return sandbox(r, containersById.get());
  }

  public List<PodSandboxStats> sandboxes(SandboxFilter filter) {
    Map<String, Container> byId = containersById.get();
    List<PodSandboxStats> out = new ArrayList<>();
    for (SandboxRecord r : records.sandboxes()) {
      Container infra = byId.get(r.id());
      boolean up = r.pinned() ? !r.stopped() : infra != null && infra.running();
      if (up && (filter.id().isEmpty() || r.id().startsWith(filter.id().get()))
          && PodLabels.matches(r.spec().labels(), filter.labelSelector())) {
        out.add(sandbox(r, byId));
      }
    }
    return out;
  }

  private PodSandboxStats sandbox(SandboxRecord r, Map<String, Container> byId) {
    List<PodContainerStats> members = new ArrayList<>();
    for (ContainerRecord c : records.containersOf(r.id())) {
      Container bc = byId.get(c.id());
      if (bc != null && bc.running()) {
        members.add(statistics.container(c.id(), c.spec().metadata(), c.spec().labels(), c.annotations()));
      }
    }
    return statistics.sandbox(r, members);
  }
}

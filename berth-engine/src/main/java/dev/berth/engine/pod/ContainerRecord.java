package dev.berth.engine.pod;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.Map;

/**
 * What the engine keeps of a pod container beside its Berth container: the spec as kubelet sent
 * it (labels and annotations are answered from here, exactly as given), its sandbox, where its
 * log goes, and the resources a later update set.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
record ContainerRecord(String id, String sandboxId, PodContainerSpec spec, String logPath, LinuxResources resources,
    Map<String, String> annotations) {
  ContainerRecord {
    logPath = logPath == null ? "" : logPath;
    resources = resources == null ? LinuxResources.NONE : resources;
    annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
  }

  ContainerRecord withResources(LinuxResources r, Map<String, String> newAnnotations) {
    return new ContainerRecord(id, sandboxId, spec, logPath, r,
        newAnnotations == null || newAnnotations.isEmpty() ? annotations : newAnnotations);
  }
}

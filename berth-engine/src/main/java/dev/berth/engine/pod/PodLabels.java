package dev.berth.engine.pod;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The labels a pod's Berth containers carry: kubelet's own (as given), the Kubernetes names that
 * kubelet's runtimes add (so {@code berth ps -a} shows whose they are), and Berth's markers
 * that tie a container to its sandbox. CRI answers give back only kubelet's (kept apart).
 */
final class PodLabels {
  /** On a sandbox's infra container: "true". */
  static final String INFRA = "dev.berth.pod.infra";
  /** On a pod container: its sandbox's ID. */
  static final String SANDBOX = "dev.berth.pod.sandbox";
  static final String POD_NAME = "io.kubernetes.pod.name";
  static final String POD_NAMESPACE = "io.kubernetes.pod.namespace";
  static final String POD_UID = "io.kubernetes.pod.uid";
  static final String CONTAINER_NAME = "io.kubernetes.container.name";
  /** What kubelet's runtimes name the infra container in {@link #CONTAINER_NAME}. */
  static final String INFRA_NAME = "POD";

  private PodLabels() {}

  static Map<String, String> forSandbox(SandboxSpec spec) {
    Map<String, String> labels = new LinkedHashMap<>(spec.labels());
    putPod(labels, spec.metadata());
    labels.put(CONTAINER_NAME, INFRA_NAME);
    labels.put(INFRA, "true");
    return labels;
  }

  static Map<String, String> forContainer(String sandboxId, PodMetadata pod, PodContainerSpec spec) {
    Map<String, String> labels = new LinkedHashMap<>(spec.labels());
    putPod(labels, pod);
    labels.put(CONTAINER_NAME, spec.metadata().name());
    labels.put(SANDBOX, sandboxId);
    return labels;
  }

  private static void putPod(Map<String, String> labels, PodMetadata pod) {
    labels.put(POD_NAME, pod.name());
    labels.put(POD_NAMESPACE, pod.namespace());
    labels.put(POD_UID, pod.uid());
  }

  /** CRI's label selector: every pair must be present with the same value. */
  static boolean matches(Map<String, String> labels, Map<String, String> selector) {
    for (Map.Entry<String, String> e : selector.entrySet()) {
      if (!e.getValue().equals(labels.get(e.getKey()))) {
        return false;
      }
    }
    return true;
  }

  /** A Berth container name for a sandbox, as dockershim named them: unique per pod and attempt. */
  static String sandboxName(PodMetadata m) {
    return safe("k8s_" + INFRA_NAME + "_" + m.name() + "_" + m.namespace() + "_" + m.uid() + "_" + m.attempt());
  }

  static String containerName(PodMetadata pod, ContainerMetadata c) {
    return safe("k8s_" + c.name() + "_" + pod.name() + "_" + pod.namespace() + "_" + pod.uid() + "_" + c.attempt());
  }

  /** Docker's name alphabet ([a-zA-Z0-9][a-zA-Z0-9_.-]+): anything else becomes '-'. */
  private static String safe(String name) {
    String s = name.replaceAll("[^a-zA-Z0-9_.-]", "-");
    return s.isEmpty() || !Character.isLetterOrDigit(s.charAt(0)) ? "k" + s : s;
  }
}

package dev.berth.engine.pod;

import dev.berth.engine.container.ContainerConfig;
import dev.berth.engine.container.HostOptions;
import dev.berth.engine.container.LogConfig;
import java.util.ArrayList;
import java.util.List;

/**
 * A sandbox's infra container: catatonit in pause mode holding the pod's namespaces (network via
 * CNI after it starts, IPC shareable for the containers, UTS with the pod's hostname), the pod's
 * sysctls and resolv.conf. Pure, so it is unit-tested.
 */
final class SandboxConfigs {
  /** catatonit's pause mode: it only waits for a signal. */
  static final List<String> PAUSE_COMMAND = List.of("/catatonit", "-P");

  private SandboxConfigs() {}

  static ContainerConfig infra(SandboxSpec spec, String pauseImage) {
    SandboxSecurity sec = spec.linux().security();
    NamespaceOptions ns = sec.namespaces();
    boolean hostNetwork = ns.network() == NamespaceMode.NODE;
    String user = sec.runAsUser().isPresent()
        ? sec.runAsUser().getAsLong() + (sec.runAsGroup().isPresent() ? ":" + sec.runAsGroup().getAsLong() : "")
        : "";
    List<String> securityOpt = new ArrayList<>();
    securityOpt.addAll(PodContainerConfigs.seccomp(sec.seccomp()));
    HostOptions host = new HostOptions(sec.supplementalGroups().stream().map(String::valueOf).toList(),
        ns.pid() == NamespaceMode.NODE ? "host" : "",
        ns.ipc() == NamespaceMode.NODE ? "host" : "shareable",
        hostNetwork ? "host" : "", null, null, null, 0, null, false, 0, spec.linux().sysctls(),
        spec.dns().servers(), spec.dns().searches(), spec.dns().options(), null,
        0, // never a negative oom_score_adj: it needs CAP_SYS_RESOURCE (platform notes)
        spec.annotations(), null,
        "host"); // as the pod's containers: no --userns-remap (decision 2000)
    return new ContainerConfig(pauseImage, PAUSE_COMMAND, List.of(), List.of(), "/", user,
        hostNetwork ? "" : spec.hostname(), "", PodLabels.forSandbox(spec), false, false, false, "SIGKILL", 0,
        false, false, sec.privileged(), List.of(), List.of(), sec.readonlyRootfs(), securityOpt, 0, 0, 0, 0, null, 0,
        null, hostNetwork ? "host" : "none", LogConfig.DEFAULT, emptyToNull(spec.runtimeHandler()), null, null,
        null, null, null, host, null);
  }

  private static String emptyToNull(String s) {
    return s.isEmpty() ? null : s;
  }
}

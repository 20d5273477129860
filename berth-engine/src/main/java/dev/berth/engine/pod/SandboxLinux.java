package dev.berth.engine.pod;

import java.util.Map;

/**
 * A sandbox's Linux part (CRI {@code LinuxPodSandboxConfig}): the cgroup parent (cgroupfs path;
 * empty = Berth's own), namespaced sysctls, the security context.
 */
public record SandboxLinux(String cgroupParent, Map<String, String> sysctls, SandboxSecurity security) {
  public static final SandboxLinux DEFAULT = new SandboxLinux("", Map.of(), SandboxSecurity.DEFAULT);

  public SandboxLinux {
    cgroupParent = cgroupParent == null ? "" : cgroupParent;
    sysctls = sysctls == null ? Map.of() : Map.copyOf(sysctls);
    security = security == null ? SandboxSecurity.DEFAULT : security;
  }
}

package dev.berth.engine.pod;

import java.util.List;
import java.util.OptionalLong;

/**
 * A sandbox's security context (CRI {@code LinuxSandboxSecurityContext}); it applies to the
 * infra container and is the default its containers start from.
 */
public record SandboxSecurity(NamespaceOptions namespaces, OptionalLong runAsUser, OptionalLong runAsGroup,
    boolean readonlyRootfs, List<Long> supplementalGroups, boolean privileged, SecurityProfile seccomp,
    SecurityProfile apparmor) {
  public static final SandboxSecurity DEFAULT = new SandboxSecurity(NamespaceOptions.DEFAULT, OptionalLong.empty(),
      OptionalLong.empty(), false, List.of(), false, SecurityProfile.RUNTIME_DEFAULT, SecurityProfile.RUNTIME_DEFAULT);

  public SandboxSecurity {
    namespaces = namespaces == null ? NamespaceOptions.DEFAULT : namespaces;
    runAsUser = runAsUser == null ? OptionalLong.empty() : runAsUser;
    runAsGroup = runAsGroup == null ? OptionalLong.empty() : runAsGroup;
    supplementalGroups = supplementalGroups == null ? List.of() : List.copyOf(supplementalGroups);
    seccomp = seccomp == null ? SecurityProfile.RUNTIME_DEFAULT : seccomp;
    apparmor = apparmor == null ? SecurityProfile.RUNTIME_DEFAULT : apparmor;
  }
}

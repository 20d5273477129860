package dev.berth.engine.pod;

import java.util.List;
import java.util.OptionalLong;

/**
 * A pod container's security context (CRI {@code LinuxContainerSecurityContext}).
 * {@code maskedPaths}/{@code readonlyPaths} empty = the runtime's defaults. AppArmor is accepted
 * and ignored with a log line where the host has none. {@code strictSupplementalGroups}: CRI's
 * SupplementalGroupsPolicy Strict — the process gets only {@code supplementalGroups} besides its
 * primary group, none of the image's /etc/group memberships (Merge, the default, adds them).
 */
public record ContainerSecurity(List<String> addCapabilities, List<String> dropCapabilities, boolean privileged,
    NamespaceOptions namespaces, OptionalLong runAsUser, OptionalLong runAsGroup, String runAsUsername,
    boolean readonlyRootfs, List<Long> supplementalGroups, boolean noNewPrivs, List<String> maskedPaths,
    List<String> readonlyPaths, SecurityProfile seccomp, SecurityProfile apparmor, boolean strictSupplementalGroups) {
  public static final ContainerSecurity DEFAULT = new ContainerSecurity(List.of(), List.of(), false,
      NamespaceOptions.DEFAULT, OptionalLong.empty(), OptionalLong.empty(), "", false, List.of(), false, List.of(),
      List.of(), SecurityProfile.RUNTIME_DEFAULT, SecurityProfile.RUNTIME_DEFAULT);

  public ContainerSecurity(List<String> addCapabilities, List<String> dropCapabilities, boolean privileged,
      NamespaceOptions namespaces, OptionalLong runAsUser, OptionalLong runAsGroup, String runAsUsername,
      boolean readonlyRootfs, List<Long> supplementalGroups, boolean noNewPrivs, List<String> maskedPaths,
      List<String> readonlyPaths, SecurityProfile seccomp, SecurityProfile apparmor) {
    this(addCapabilities, dropCapabilities, privileged, namespaces, runAsUser, runAsGroup, runAsUsername,
        readonlyRootfs, supplementalGroups, noNewPrivs, maskedPaths, readonlyPaths, seccomp, apparmor, false);
  }

  public ContainerSecurity {
    addCapabilities = addCapabilities == null ? List.of() : List.copyOf(addCapabilities);
    dropCapabilities = dropCapabilities == null ? List.of() : List.copyOf(dropCapabilities);
    namespaces = namespaces == null ? NamespaceOptions.DEFAULT : namespaces;
    runAsUser = runAsUser == null ? OptionalLong.empty() : runAsUser;
    runAsGroup = runAsGroup == null ? OptionalLong.empty() : runAsGroup;
    runAsUsername = runAsUsername == null ? "" : runAsUsername;
    supplementalGroups = supplementalGroups == null ? List.of() : List.copyOf(supplementalGroups);
    maskedPaths = maskedPaths == null ? List.of() : List.copyOf(maskedPaths);
    readonlyPaths = readonlyPaths == null ? List.of() : List.copyOf(readonlyPaths);
    seccomp = seccomp == null ? SecurityProfile.RUNTIME_DEFAULT : seccomp;
    apparmor = apparmor == null ? SecurityProfile.RUNTIME_DEFAULT : apparmor;
  }
}

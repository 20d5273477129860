package dev.berth.engine.pod;

import java.util.List;
import java.util.Map;

/**
 * What CreateContainer asks for (CRI {@code ContainerConfig}).
 *
 * @param image the image as kubelet names it (a reference or an image ID)
 * @param command the entrypoint; empty = the image's
 * @param args the arguments; empty = the image's Cmd (when command is empty too)
 * @param logPath relative to the sandbox's log directory; empty = no CRI log file
 */
public record PodContainerSpec(ContainerMetadata metadata, String image, List<String> command, List<String> args,
    String workingDir, List<EnvVar> envs, List<PodMount> mounts, List<PodDevice> devices, Map<String, String> labels,
    Map<String, String> annotations, String logPath, boolean stdin, boolean stdinOnce, boolean tty,
    LinuxResources resources, ContainerSecurity security) {
  public PodContainerSpec {
    if (metadata == null) {
      throw new IllegalArgumentException("a container needs its metadata");
    }
    image = image == null ? "" : image;
    command = command == null ? List.of() : List.copyOf(command);
    args = args == null ? List.of() : List.copyOf(args);
    workingDir = workingDir == null ? "" : workingDir;
    envs = envs == null ? List.of() : List.copyOf(envs);
    mounts = mounts == null ? List.of() : List.copyOf(mounts);
    devices = devices == null ? List.of() : List.copyOf(devices);
    labels = labels == null ? Map.of() : Map.copyOf(labels);
    annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
    logPath = logPath == null ? "" : logPath;
    resources = resources == null ? LinuxResources.NONE : resources;
    security = security == null ? ContainerSecurity.DEFAULT : security;
  }
}

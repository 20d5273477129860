package dev.berth.engine.pod;

import dev.berth.engine.BerthException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The engine side of Kubernetes' CRI (reached as {@code Engine.pods()}): pod sandboxes and their
 * containers. A sandbox is an infra container holding the pod's namespaces; pod containers are
 * Berth containers joined to it, so {@code berth ps -a} lists both with their Kubernetes labels.
 * IDs are Berth container IDs (the sandbox ID is its infra container's), so exec, attach and
 * logs of the container package work on them unchanged. Missing sandboxes or containers are
 * {@link BerthException.NotFound}; stop and remove are idempotent.
 */
public final class PodService {

  public PodService() {
  }

  /** Creates and starts a sandbox; answers its ID. Nothing is left behind when it fails. */
  public String runSandbox(SandboxSpec spec) {
    throw notYet("runSandbox");
  }

  /** Stops the sandbox's containers and its infra container, frees its network; idempotent, also for unknown IDs. */
  public void stopSandbox(String sandboxId) {
    throw notYet("stopSandbox");
  }

  /** Removes the sandbox and its containers (stopping them first); idempotent, also for unknown IDs. */
  public void removeSandbox(String sandboxId) {
    throw notYet("removeSandbox");
  }

  public SandboxStatus sandboxStatus(String sandboxId) {
    throw notYet("sandboxStatus");
  }

  public List<PodSandbox> listSandboxes(SandboxFilter filter) {
    throw notYet("listSandboxes");
  }

  /** Creates (not starts) a container in the sandbox; answers its ID. */
  public String createContainer(String sandboxId, PodContainerSpec spec, SandboxSpec sandboxSpec) {
    throw notYet("createContainer");
  }

  public void startContainer(String containerId) {
    throw notYet("startContainer");
  }

  /** SIGTERM, then SIGKILL after {@code timeout} (zero: at once); idempotent, also for unknown IDs. */
  public void stopContainer(String containerId, Duration timeout) {
    throw notYet("stopContainer");
  }

  /** Removes the container (killing it if it runs); idempotent, also for unknown IDs. */
  public void removeContainer(String containerId) {
    throw notYet("removeContainer");
  }

  public PodContainerStatus containerStatus(String containerId) {
    throw notYet("containerStatus");
  }

  public List<PodContainer> listContainers(ContainerFilter filter) {
    throw notYet("listContainers");
  }

  /** Changes a created or running container's limits; {@code annotations} are kept for its status. */
  public void updateContainerResources(String containerId, LinuxResources resources, Map<String, String> annotations) {
    throw notYet("updateContainerResources");
  }

  /** Has conmon reopen the container's CRI log file (after kubelet rotated it). */
  public void reopenContainerLog(String containerId) {
    throw notYet("reopenContainerLog");
  }

  /** Runs {@code cmd} in the running container; a zero timeout waits without limit. */
  public ExecSyncResult execSync(String containerId, List<String> cmd, Duration timeout) {
    throw notYet("execSync");
  }

  public PodContainerStats containerStats(String containerId) {
    throw notYet("containerStats");
  }

  public List<PodContainerStats> listContainerStats(ContainerFilter filter) {
    throw notYet("listContainerStats");
  }

  public PodSandboxStats sandboxStats(String sandboxId) {
    throw notYet("sandboxStats");
  }

  public List<PodSandboxStats> listSandboxStats(SandboxFilter filter) {
    throw notYet("listSandboxStats");
  }

  /**
   * Delivers container events (created, started, stopped, deleted) of pod containers to
   * {@code listener}, in order, on a thread of its own; a slow listener never blocks the engine.
   * Close the answer to stop.
   */
  public AutoCloseable subscribe(Consumer<PodContainerEvent> listener) {
    throw notYet("subscribe");
  }

  /** CRI Status' conditions: RuntimeReady, and NetworkReady (false with a reason when no CNI config is usable). */
  public List<RuntimeCondition> conditions() {
    throw notYet("conditions");
  }

  /** The cgroup driver kubelet must match (CRI RuntimeConfig). */
  public String cgroupDriver() {
    return "cgroupfs";
  }

  private static BerthException notYet(String what) {
    return new BerthException.Unavailable("PodService." + what + " is not implemented yet");
  }
}

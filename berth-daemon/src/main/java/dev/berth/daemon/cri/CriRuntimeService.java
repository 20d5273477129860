package dev.berth.daemon.cri;

import com.google.protobuf.ByteString;
import dev.berth.cri.api.v1.ContainerEventResponse;
import dev.berth.cri.api.v1.ContainerEventType;
import dev.berth.cri.api.v1.ContainerStatsFilter;
import dev.berth.cri.api.v1.ContainerStatsRequest;
import dev.berth.cri.api.v1.ContainerStatsResponse;
import dev.berth.cri.api.v1.ContainerStatusRequest;
import dev.berth.cri.api.v1.ContainerStatusResponse;
import dev.berth.cri.api.v1.CreateContainerRequest;
import dev.berth.cri.api.v1.CreateContainerResponse;
import dev.berth.cri.api.v1.ExecSyncRequest;
import dev.berth.cri.api.v1.ExecSyncResponse;
import dev.berth.cri.api.v1.GetEventsRequest;
import dev.berth.cri.api.v1.ListContainerStatsRequest;
import dev.berth.cri.api.v1.ListContainerStatsResponse;
import dev.berth.cri.api.v1.ListContainersRequest;
import dev.berth.cri.api.v1.ListContainersResponse;
import dev.berth.cri.api.v1.ListPodSandboxRequest;
import dev.berth.cri.api.v1.ListPodSandboxResponse;
import dev.berth.cri.api.v1.ListPodSandboxStatsRequest;
import dev.berth.cri.api.v1.ListPodSandboxStatsResponse;
import dev.berth.cri.api.v1.PodSandboxStatsFilter;
import dev.berth.cri.api.v1.PodSandboxStatsRequest;
import dev.berth.cri.api.v1.PodSandboxStatsResponse;
import dev.berth.cri.api.v1.PodSandboxStatusRequest;
import dev.berth.cri.api.v1.PodSandboxStatusResponse;
import dev.berth.cri.api.v1.RemoveContainerRequest;
import dev.berth.cri.api.v1.RemoveContainerResponse;
import dev.berth.cri.api.v1.RemovePodSandboxRequest;
import dev.berth.cri.api.v1.RemovePodSandboxResponse;
import dev.berth.cri.api.v1.ReopenContainerLogRequest;
import dev.berth.cri.api.v1.ReopenContainerLogResponse;
import dev.berth.cri.api.v1.RunPodSandboxRequest;
import dev.berth.cri.api.v1.RunPodSandboxResponse;
import dev.berth.cri.api.v1.StartContainerRequest;
import dev.berth.cri.api.v1.StartContainerResponse;
import dev.berth.cri.api.v1.StopContainerRequest;
import dev.berth.cri.api.v1.StopContainerResponse;
import dev.berth.cri.api.v1.StopPodSandboxRequest;
import dev.berth.cri.api.v1.StopPodSandboxResponse;
import dev.berth.cri.api.v1.UpdateContainerResourcesRequest;
import dev.berth.cri.api.v1.UpdateContainerResourcesResponse;
import dev.berth.engine.pod.ContainerFilter;
import dev.berth.engine.pod.ExecSyncResult;
import dev.berth.engine.pod.PodContainerEvent;
import dev.berth.engine.pod.PodContainerSpec;
import dev.berth.engine.pod.SandboxFilter;
import dev.berth.engine.pod.SandboxSpec;
import io.grpc.stub.ServerCallStreamObserver;
import java.time.Duration;
import java.util.Optional;
import dev.berth.cri.api.v1.AttachRequest;
import dev.berth.cri.api.v1.AttachResponse;
import dev.berth.cri.api.v1.CgroupDriver;
import dev.berth.cri.api.v1.CheckpointContainerRequest;
import dev.berth.cri.api.v1.CheckpointContainerResponse;
import dev.berth.cri.api.v1.ExecRequest;
import dev.berth.cri.api.v1.ExecResponse;
import dev.berth.cri.api.v1.LinuxRuntimeConfiguration;
import dev.berth.cri.api.v1.ListMetricDescriptorsRequest;
import dev.berth.cri.api.v1.ListMetricDescriptorsResponse;
import dev.berth.cri.api.v1.ListPodSandboxMetricsRequest;
import dev.berth.cri.api.v1.ListPodSandboxMetricsResponse;
import dev.berth.cri.api.v1.PortForwardRequest;
import dev.berth.cri.api.v1.PortForwardResponse;
import dev.berth.cri.api.v1.RuntimeCondition;
import dev.berth.cri.api.v1.RuntimeConfigRequest;
import dev.berth.cri.api.v1.RuntimeConfigResponse;
import dev.berth.cri.api.v1.RuntimeHandler;
import dev.berth.cri.api.v1.RuntimeFeatures;
import dev.berth.cri.api.v1.RuntimeHandlerFeatures;
import dev.berth.cri.api.v1.RuntimeServiceGrpc;
import dev.berth.cri.api.v1.RuntimeStatus;
import dev.berth.cri.api.v1.StatusRequest;
import dev.berth.cri.api.v1.StatusResponse;
import dev.berth.cri.api.v1.UpdateRuntimeConfigRequest;
import dev.berth.cri.api.v1.UpdateRuntimeConfigResponse;
import dev.berth.cri.api.v1.VersionRequest;
import dev.berth.cri.api.v1.VersionResponse;
import dev.berth.daemon.cri.streaming.AttachTarget;
import dev.berth.daemon.cri.streaming.ExecTarget;
import dev.berth.daemon.cri.streaming.PortForwardTarget;
import dev.berth.daemon.cri.streaming.StreamingServer;
import dev.berth.daemon.http.Json;
import dev.berth.engine.BerthException;
import dev.berth.engine.pod.PodContainerState;
import dev.berth.engine.pod.PodContainerStatus;
import dev.berth.engine.pod.PodService;
import dev.berth.engine.pod.SandboxState;
import dev.berth.engine.pod.SandboxStatus;
import dev.berth.engine.BerthVersion;
import dev.berth.engine.Engine;
import io.grpc.stub.StreamObserver;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The CRI's RuntimeService: the runtime's identity and health, sandboxes, containers, stats and
 * events over the engine's {@link PodService}, and URLs of the streaming server. Messages are
 * converted by {@link SandboxMessages}, {@link ContainerMessages} and {@link StatsMessages};
 * nothing is decided in this layer.
 */
final class CriRuntimeService extends RuntimeServiceGrpc.RuntimeServiceImplBase {
  private static final Logger log = LoggerFactory.getLogger(CriRuntimeService.class);
  /** The CRI's "version of the kubelet runtime API" that every runtime answers. */
  static final String KUBELET_API_VERSION = "0.1.0";
  static final String RUNTIME_NAME = "berth";
  static final String RUNTIME_API_VERSION = "v1";

  private final Engine engine;
  private final PodService pods;
  private final String socket;
  /** Serves Exec, Attach and PortForward's URLs; null = streaming off. */
  private final StreamingServer streaming;
  private volatile String podCidr = "";

  CriRuntimeService(Engine engine, String socket, StreamingServer streaming) {
    this.engine = engine;
    this.pods = engine.pods();
    this.socket = socket;
    this.streaming = streaming;
  }

  @Override
  public void version(VersionRequest request, StreamObserver<VersionResponse> out) {
    CriErrors.unary(out, () -> VersionResponse.newBuilder()
        .setVersion(KUBELET_API_VERSION)
        .setRuntimeName(RUNTIME_NAME)
        .setRuntimeVersion(BerthVersion.version())
        .setRuntimeApiVersion(RUNTIME_API_VERSION)
        .build());
  }

  @Override
  public void status(StatusRequest request, StreamObserver<StatusResponse> out) {
    CriErrors.unary(out, () -> {
      RuntimeStatus.Builder conditions = RuntimeStatus.newBuilder();
      for (dev.berth.engine.pod.RuntimeCondition c : pods.conditions()) {
        conditions.addConditions(RuntimeCondition.newBuilder().setType(c.type()).setStatus(c.status())
            .setReason(c.reason()).setMessage(c.message()));
      }
      StatusResponse.Builder answer = StatusResponse.newBuilder()
          .setStatus(conditions)
          .setFeatures(RuntimeFeatures.newBuilder().setSupplementalGroupsPolicy(true))
          .addRuntimeHandlers(RuntimeHandler.newBuilder().setName("")
              .setFeatures(RuntimeHandlerFeatures.newBuilder()
                  .setRecursiveReadOnlyMounts(engine.containers().defaultRuntimeTakesMountOption("rro"))));
      if (request.getVerbose()) {
        answer.putInfo("config", verboseConfig());
      }
      return answer.build();
    });
  }

  private String verboseConfig() {
    Map<String, Object> config = new LinkedHashMap<>();
    config.put("socket", socket);
    config.put("dataRoot", engine.config().dataRoot().toString());
    config.put("execRoot", engine.config().execRoot().toString());
    config.put("cgroupDriver", pods.cgroupDriver());
    config.put("defaultRuntime", engine.system().defaultRuntime().orElse(""));
    config.put("runtimes", engine.system().runtimes().stream().filter(r -> r.usable()).map(r -> r.name()).toList());
    config.put("podCIDR", podCidr);
    config.put("streamingServer", streaming == null ? "" : streaming.address().toString());
    try {
      return Json.MAPPER.writeValueAsString(config);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The cgroup driver the pods use, which kubelet must match. */
  @Override
  public void runtimeConfig(RuntimeConfigRequest request, StreamObserver<RuntimeConfigResponse> out) {
    CriErrors.unary(out, () -> RuntimeConfigResponse.newBuilder()
        .setLinux(LinuxRuntimeConfiguration.newBuilder().setCgroupDriver(
            pods.cgroupDriver().equals("systemd") ? CgroupDriver.SYSTEMD : CgroupDriver.CGROUPFS))
        .build());
  }

  /** kubelet sends the node's pod CIDR; Berth's CNI config keeps its own subnet, so it is recorded and shown only. */
  @Override
  public void updateRuntimeConfig(UpdateRuntimeConfigRequest request, StreamObserver<UpdateRuntimeConfigResponse> out) {
    CriErrors.unary(out, () -> {
      String cidr = request.getRuntimeConfig().getNetworkConfig().getPodCidr();
      if (!cidr.isEmpty() && !cidr.equals(podCidr)) {
        log.info("kubelet set the pod CIDR to {} (recorded; Berth's CNI config keeps its own subnet)", cidr);
        podCidr = cidr;
      }
      return UpdateRuntimeConfigResponse.getDefaultInstance();
    });
  }

  @Override
  public void exec(ExecRequest request, StreamObserver<ExecResponse> out) {
    CriErrors.unary(out, () -> {
      requireRunning(request.getContainerId(), "exec in");
      ExecTarget target = new ExecTarget(request.getContainerId(), request.getCmdList(), request.getTty(),
          request.getStdin(), request.getStdout(), request.getStderr());
      return ExecResponse.newBuilder().setUrl(streaming().execUrl(target).toString()).build();
    });
  }

  @Override
  public void attach(AttachRequest request, StreamObserver<AttachResponse> out) {
    CriErrors.unary(out, () -> {
      requireRunning(request.getContainerId(), "attach to");
      AttachTarget target = new AttachTarget(request.getContainerId(), request.getTty(), request.getStdin(),
          request.getStdout(), request.getStderr());
      return AttachResponse.newBuilder().setUrl(streaming().attachUrl(target).toString()).build();
    });
  }

  /** The pod's bound network namespace, else (host network) its infra container's, whose ID is the sandbox's. */
  @Override
  public void portForward(PortForwardRequest request, StreamObserver<PortForwardResponse> out) {
    CriErrors.unary(out, () -> {
      String id = request.getPodSandboxId();
      if (id.isEmpty()) {
        throw CriErrors.invalid("missing required pod_sandbox_id");
      }
      SandboxStatus sandbox = pods.sandboxStatus(id);
      if (sandbox.state() != SandboxState.READY) {
        throw new BerthException.Conflict("pod sandbox " + id + " is not ready; port-forward needs a running pod");
      }
      PortForwardTarget target = pods.sandboxNetns(sandbox.id())
          .map(netns -> PortForwardTarget.ofNetns(sandbox.id(), netns, request.getPortList()))
          .orElseGet(() -> PortForwardTarget.ofContainer(sandbox.id(), request.getPortList()));
      return PortForwardResponse.newBuilder().setUrl(streaming().portForwardUrl(target).toString()).build();
    });
  }

  private void requireRunning(String containerId, String what) {
    if (containerId.isEmpty()) {
      throw CriErrors.invalid("missing required container_id");
    }
    PodContainerStatus status = pods.containerStatus(containerId);
    if (status.state() != PodContainerState.RUNNING) {
      throw new BerthException.Conflict("container " + containerId + " is not running (" + status.state()
          .name().toLowerCase(java.util.Locale.ROOT) + "); cannot " + what + " it");
    }
  }

  private StreamingServer streaming() {
    if (streaming == null) {
      throw CriErrors.unimplemented("the CRI streaming server is off in this berthd; use ExecSync");
    }
    return streaming;
  }

  @Override
  public void checkpointContainer(CheckpointContainerRequest request, StreamObserver<CheckpointContainerResponse> out) {
    out.onError(CriErrors.unimplemented("CheckpointContainer is not supported by Berth"));
  }

  @Override
  public void listMetricDescriptors(ListMetricDescriptorsRequest request,
      StreamObserver<ListMetricDescriptorsResponse> out) {
    out.onError(CriErrors.unimplemented("ListMetricDescriptors is not supported by Berth (kubelet uses cAdvisor)"));
  }

  @Override
  public void listPodSandboxMetrics(ListPodSandboxMetricsRequest request,
      StreamObserver<ListPodSandboxMetricsResponse> out) {
    out.onError(CriErrors.unimplemented("ListPodSandboxMetrics is not supported by Berth (kubelet uses cAdvisor)"));
  }


  // Sandboxes

  @Override
  public void runPodSandbox(RunPodSandboxRequest request, StreamObserver<RunPodSandboxResponse> out) {
    CriErrors.unary(out, () -> {
      if (!request.hasConfig()) {
        throw CriErrors.invalid("RunPodSandbox needs a config");
      }
      String id = pods.runSandbox(SandboxMessages.spec(request.getConfig(), request.getRuntimeHandler()));
      return RunPodSandboxResponse.newBuilder().setPodSandboxId(id).build();
    });
  }

  @Override
  public void stopPodSandbox(StopPodSandboxRequest request, StreamObserver<StopPodSandboxResponse> out) {
    CriErrors.unary(out, () -> {
      pods.stopSandbox(required(request.getPodSandboxId(), "pod_sandbox_id"));
      return StopPodSandboxResponse.getDefaultInstance();
    });
  }

  @Override
  public void removePodSandbox(RemovePodSandboxRequest request, StreamObserver<RemovePodSandboxResponse> out) {
    CriErrors.unary(out, () -> {
      pods.removeSandbox(required(request.getPodSandboxId(), "pod_sandbox_id"));
      return RemovePodSandboxResponse.getDefaultInstance();
    });
  }

  @Override
  public void podSandboxStatus(PodSandboxStatusRequest request, StreamObserver<PodSandboxStatusResponse> out) {
    CriErrors.unary(out, () -> {
      SandboxStatus status = pods.sandboxStatus(required(request.getPodSandboxId(), "pod_sandbox_id"));
      PodSandboxStatusResponse.Builder answer = PodSandboxStatusResponse.newBuilder()
          .setStatus(SandboxMessages.status(status))
          .setTimestamp(SandboxMessages.nanos(java.time.Instant.now()));
      if (request.getVerbose()) {
        answer.putAllInfo(status.info());
      }
      return answer.build();
    });
  }

  @Override
  public void listPodSandbox(ListPodSandboxRequest request, StreamObserver<ListPodSandboxResponse> out) {
    CriErrors.unary(out, () -> {
      SandboxFilter filter = request.hasFilter() ? SandboxMessages.filter(request.getFilter()) : SandboxFilter.ALL;
      return ListPodSandboxResponse.newBuilder()
          .addAllItems(pods.listSandboxes(filter).stream().map(SandboxMessages::sandbox).toList()).build();
    });
  }

  // Containers

  @Override
  public void createContainer(CreateContainerRequest request, StreamObserver<CreateContainerResponse> out) {
    CriErrors.unary(out, () -> {
      String sandboxId = required(request.getPodSandboxId(), "pod_sandbox_id");
      if (!request.hasConfig()) {
        throw CriErrors.invalid("CreateContainer needs a config");
      }
      PodContainerSpec spec = ContainerMessages.spec(request.getConfig());
      SandboxSpec sandbox = request.hasSandboxConfig()
          ? SandboxMessages.spec(request.getSandboxConfig(), "") : null;
      String id = pods.createContainer(sandboxId, spec, sandbox);
      return CreateContainerResponse.newBuilder().setContainerId(id).build();
    });
  }

  @Override
  public void startContainer(StartContainerRequest request, StreamObserver<StartContainerResponse> out) {
    CriErrors.unary(out, () -> {
      pods.startContainer(required(request.getContainerId(), "container_id"));
      return StartContainerResponse.getDefaultInstance();
    });
  }

  @Override
  public void stopContainer(StopContainerRequest request, StreamObserver<StopContainerResponse> out) {
    CriErrors.unary(out, () -> {
      pods.stopContainer(required(request.getContainerId(), "container_id"),
          Duration.ofSeconds(Math.max(0, request.getTimeout())));
      return StopContainerResponse.getDefaultInstance();
    });
  }

  @Override
  public void removeContainer(RemoveContainerRequest request, StreamObserver<RemoveContainerResponse> out) {
    CriErrors.unary(out, () -> {
      pods.removeContainer(required(request.getContainerId(), "container_id"));
      return RemoveContainerResponse.getDefaultInstance();
    });
  }

  @Override
  public void listContainers(ListContainersRequest request, StreamObserver<ListContainersResponse> out) {
    CriErrors.unary(out, () -> {
      ContainerFilter filter = request.hasFilter() ? ContainerMessages.filter(request.getFilter()) : ContainerFilter.ALL;
      return ListContainersResponse.newBuilder()
          .addAllContainers(pods.listContainers(filter).stream().map(ContainerMessages::container).toList()).build();
    });
  }

  @Override
  public void containerStatus(ContainerStatusRequest request, StreamObserver<ContainerStatusResponse> out) {
    CriErrors.unary(out, () -> {
      PodContainerStatus status = pods.containerStatus(required(request.getContainerId(), "container_id"));
      ContainerStatusResponse.Builder answer = ContainerStatusResponse.newBuilder()
          .setStatus(ContainerMessages.status(status));
      if (request.getVerbose()) {
        answer.putAllInfo(status.info());
      }
      return answer.build();
    });
  }

  @Override
  public void updateContainerResources(UpdateContainerResourcesRequest request,
      StreamObserver<UpdateContainerResourcesResponse> out) {
    CriErrors.unary(out, () -> {
      String id = required(request.getContainerId(), "container_id");
      pods.updateContainerResources(id, ContainerMessages.resources(request.getLinux()), request.getAnnotationsMap());
      return UpdateContainerResourcesResponse.getDefaultInstance();
    });
  }

  @Override
  public void reopenContainerLog(ReopenContainerLogRequest request, StreamObserver<ReopenContainerLogResponse> out) {
    CriErrors.unary(out, () -> {
      pods.reopenContainerLog(required(request.getContainerId(), "container_id"));
      return ReopenContainerLogResponse.getDefaultInstance();
    });
  }

  /** The timeout is in seconds; 0 waits as long as the command runs. */
  @Override
  public void execSync(ExecSyncRequest request, StreamObserver<ExecSyncResponse> out) {
    CriErrors.unary(out, () -> {
      String id = required(request.getContainerId(), "container_id");
      if (request.getCmdCount() == 0) {
        throw CriErrors.invalid("ExecSync needs a command (cmd is empty)");
      }
      ExecSyncResult result = pods.execSync(id, request.getCmdList(),
          Duration.ofSeconds(Math.max(0, request.getTimeout())));
      return ExecSyncResponse.newBuilder().setStdout(ByteString.copyFrom(result.stdout()))
          .setStderr(ByteString.copyFrom(result.stderr())).setExitCode(result.exitCode()).build();
    });
  }

  // Stats

  @Override
  public void containerStats(ContainerStatsRequest request, StreamObserver<ContainerStatsResponse> out) {
    CriErrors.unary(out, () -> ContainerStatsResponse.newBuilder()
        .setStats(StatsMessages.container(pods.stats().container(required(request.getContainerId(), "container_id"))))
        .build());
  }

  @Override
  public void listContainerStats(ListContainerStatsRequest request, StreamObserver<ListContainerStatsResponse> out) {
    CriErrors.unary(out, () -> {
      ContainerStatsFilter f = request.getFilter();
      ContainerFilter filter = ContainerMessages.filter(f.getId(), f.getPodSandboxId(), f.getLabelSelectorMap());
      return ListContainerStatsResponse.newBuilder()
          .addAllStats(pods.stats().containers(filter).stream().map(StatsMessages::container).toList()).build();
    });
  }

  @Override
  public void podSandboxStats(PodSandboxStatsRequest request, StreamObserver<PodSandboxStatsResponse> out) {
    CriErrors.unary(out, () -> PodSandboxStatsResponse.newBuilder()
        .setStats(StatsMessages.sandbox(pods.stats().sandbox(required(request.getPodSandboxId(), "pod_sandbox_id"))))
        .build());
  }

  @Override
  public void listPodSandboxStats(ListPodSandboxStatsRequest request, StreamObserver<ListPodSandboxStatsResponse> out) {
    CriErrors.unary(out, () -> {
      PodSandboxStatsFilter f = request.getFilter();
      SandboxFilter filter = new SandboxFilter(Optional.of(f.getId()), Optional.empty(), f.getLabelSelectorMap());
      return ListPodSandboxStatsResponse.newBuilder()
          .addAllStats(pods.stats().sandboxes(filter).stream().map(StatsMessages::sandbox).toList()).build();
    });
  }

  // Events

  /** A server stream of pod container events until the client goes away (or berthd stops). */
  @Override
  public void getContainerEvents(GetEventsRequest request, StreamObserver<ContainerEventResponse> out) {
    ServerCallStreamObserver<ContainerEventResponse> call = (ServerCallStreamObserver<ContainerEventResponse>) out;
    AutoCloseable subscription;
    try {
      subscription = pods.subscribe(event -> {
        if (call.isCancelled()) {
          return;
        }
        try {
          call.onNext(event(event));
        } catch (RuntimeException gone) {
          log.debug("a GetContainerEvents client went away: {}", gone.getMessage());
        }
      });
    } catch (RuntimeException e) {
      out.onError(CriErrors.status(e));
      return;
    }
    call.setOnCancelHandler(() -> {
      try {
        subscription.close();
      } catch (Exception e) {
        log.debug("closing a GetContainerEvents subscription: {}", e.getMessage());
      }
    });
  }

  private static ContainerEventResponse event(PodContainerEvent e) {
    ContainerEventType type = switch (e.type()) {
      case CREATED -> ContainerEventType.CONTAINER_CREATED_EVENT;
      case STARTED -> ContainerEventType.CONTAINER_STARTED_EVENT;
      case STOPPED -> ContainerEventType.CONTAINER_STOPPED_EVENT;
      case DELETED -> ContainerEventType.CONTAINER_DELETED_EVENT;
    };
    ContainerEventResponse.Builder b = ContainerEventResponse.newBuilder().setContainerId(e.containerId())
        .setContainerEventType(type).setCreatedAt(SandboxMessages.nanos(e.createdAt()))
        .addAllContainersStatuses(e.containers().stream().map(ContainerMessages::status).toList());
    e.sandbox().ifPresent(s -> b.setPodSandboxStatus(SandboxMessages.status(s)));
    return b.build();
  }

  private static String required(String value, String field) {
    if (value == null || value.isEmpty()) {
      throw CriErrors.invalid("missing required " + field);
    }
    return value;
  }
}

package dev.berth.daemon.cri;

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
import dev.berth.cri.api.v1.RuntimeHandlerFeatures;
import dev.berth.cri.api.v1.RuntimeServiceGrpc;
import dev.berth.cri.api.v1.RuntimeStatus;
import dev.berth.cri.api.v1.StatusRequest;
import dev.berth.cri.api.v1.StatusResponse;
import dev.berth.cri.api.v1.UpdateRuntimeConfigRequest;
import dev.berth.cri.api.v1.UpdateRuntimeConfigResponse;
import dev.berth.cri.api.v1.VersionRequest;
import dev.berth.cri.api.v1.VersionResponse;
import dev.berth.daemon.http.Json;
import dev.berth.engine.BerthVersion;
import dev.berth.engine.Engine;
import io.grpc.stub.StreamObserver;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The CRI's RuntimeService: the runtime's identity and health here; sandboxes and containers
 * in {@link CriPods}; everything maps onto the engine, nothing is decided in this layer.
 */
final class CriRuntimeService extends RuntimeServiceGrpc.RuntimeServiceImplBase {
  private static final Logger log = LoggerFactory.getLogger(CriRuntimeService.class);
  /** The CRI's "version of the kubelet runtime API" that every runtime answers. */
  static final String KUBELET_API_VERSION = "0.1.0";
  static final String RUNTIME_NAME = "berth";
  static final String RUNTIME_API_VERSION = "v1";

  private final Engine engine;
  private final String socket;
  private volatile String podCidr = "";

  CriRuntimeService(Engine engine, String socket) {
    this.engine = engine;
    this.socket = socket;
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
      boolean runtimeReady = engine.system().runtimes().stream().anyMatch(r -> r.usable());
      RuntimeCondition runtime = RuntimeCondition.newBuilder().setType("RuntimeReady").setStatus(runtimeReady)
          .setReason(runtimeReady ? "" : "NoUsableOciRuntime")
          .setMessage(runtimeReady ? "" : "no OCI runtime (runc, crun) works on this host; see berthd's log")
          .build();
      StatusResponse.Builder answer = StatusResponse.newBuilder()
          .setStatus(RuntimeStatus.newBuilder().addConditions(runtime).addConditions(networkCondition()))
          .addRuntimeHandlers(RuntimeHandler.newBuilder().setName("")
              .setFeatures(RuntimeHandlerFeatures.getDefaultInstance()));
      if (request.getVerbose()) {
        answer.putInfo("config", verboseConfig());
      }
      return answer.build();
    });
  }

  private RuntimeCondition networkCondition() {
    return RuntimeCondition.newBuilder().setType("NetworkReady").setStatus(true).build();
  }

  private String verboseConfig() {
    Map<String, Object> config = new LinkedHashMap<>();
    config.put("socket", socket);
    config.put("dataRoot", engine.config().dataRoot().toString());
    config.put("execRoot", engine.config().execRoot().toString());
    config.put("cgroupDriver", "cgroupfs");
    config.put("defaultRuntime", engine.system().defaultRuntime().orElse(""));
    config.put("runtimes", engine.system().runtimes().stream().filter(r -> r.usable()).map(r -> r.name()).toList());
    config.put("podCIDR", podCidr);
    try {
      return Json.MAPPER.writeValueAsString(config);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Berth drives cgroups itself through the cgroup file system (no systemd driver here yet). */
  @Override
  public void runtimeConfig(RuntimeConfigRequest request, StreamObserver<RuntimeConfigResponse> out) {
    CriErrors.unary(out, () -> RuntimeConfigResponse.newBuilder()
        .setLinux(LinuxRuntimeConfiguration.newBuilder().setCgroupDriver(CgroupDriver.CGROUPFS))
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
    out.onError(CriErrors.unimplemented("Exec (streaming) is not served by this berthd yet; use ExecSync"));
  }

  @Override
  public void attach(AttachRequest request, StreamObserver<AttachResponse> out) {
    out.onError(CriErrors.unimplemented("Attach (streaming) is not served by this berthd yet"));
  }

  @Override
  public void portForward(PortForwardRequest request, StreamObserver<PortForwardResponse> out) {
    out.onError(CriErrors.unimplemented("PortForward (streaming) is not served by this berthd yet"));
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

}

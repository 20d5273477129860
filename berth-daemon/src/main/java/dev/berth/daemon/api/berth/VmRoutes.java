package dev.berth.daemon.api.berth;

import dev.berth.daemon.http.ApiRequest;
import dev.berth.daemon.http.ApiResponse;
import dev.berth.daemon.http.RawStream;
import dev.berth.daemon.http.Router;
import dev.berth.engine.BerthException;
import dev.berth.engine.vm.PortMapping;
import dev.berth.engine.vm.Vm;
import dev.berth.engine.image.Image;
import dev.berth.engine.image.Reference;
import dev.berth.engine.network.NetworkService;
import dev.berth.engine.vm.VmConfig;
import dev.berth.engine.vm.VmDiskImages;
import dev.berth.engine.vm.VmService;
import dev.berth.engine.vm.VmSnapshots;
import dev.berth.engine.vm.VmSpec;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Berth's VM API under {@code /berth/v1/vms}: JSON in and out, logs streamed, console hijacked. */
public final class VmRoutes {
  private static final String VMS = BerthApi.PREFIX + "/vms";
  private static final int DEFAULT_STOP_SECONDS = 10;

  private final VmService vms;
  private final VmDiskImages diskImages;
  private final NetworkService networks;

  public VmRoutes(VmService vms, VmDiskImages diskImages, NetworkService networks) {
    this.vms = vms;
    this.diskImages = diskImages;
    this.networks = networks;
  }

  public void register(Router router) {
    router.get(VMS, this::list);
    router.post(VMS + "/create", this::create);
    router.get(VMS + "/{id}", this::inspect);
    router.post(VMS + "/{id}/start", (req, res) -> res.json(200, json(vms.start(req.pathParam("id")))));
    router.post(VMS + "/{id}/stop", (req, res) -> res.json(200, json(vms.stop(req.pathParam("id"), timeout(req)))));
    router.post(VMS + "/{id}/restart",
        (req, res) -> res.json(200, json(vms.restart(req.pathParam("id"), timeout(req)))));
    router.post(VMS + "/{id}/kill", (req, res) -> res.json(200, json(vms.kill(req.pathParam("id")))));
    router.post(VMS + "/{id}/pause", (req, res) -> res.json(200, json(vms.pause(req.pathParam("id")))));
    router.post(VMS + "/{id}/resume", (req, res) -> res.json(200, json(vms.resume(req.pathParam("id")))));
    router.delete(VMS + "/{id}", this::remove);
    router.get(VMS + "/{id}/logs", this::logs);
    router.post(VMS + "/{id}/console", this::console);
    router.get(VMS + "/{id}/snapshots", this::snapshots);
    router.post(VMS + "/{id}/snapshots", this::snapshot);
    router.post(VMS + "/{id}/snapshots/{name}/restore", (req, res) -> res.json(200,
        json(vms.snapshots().restore(req.pathParam("id"), req.pathParam("name")))));
    router.delete(VMS + "/{id}/snapshots/{name}", (req, res) -> {
      vms.snapshots().remove(req.pathParam("id"), req.pathParam("name"));
      res.empty(204);
    });
    router.post(VMS + "/{id}/clone", this::cloneVm);
    router.post(VMS + "/{id}/commit", this::commit);
  }

  public record SnapshotRequest(String name) {}

  /** A snapshot: {@code memoryBytes} 0 means the disk alone (taken while the VM was stopped). */
  public record SnapshotJson(String name, String id, String created, long memoryBytes, double vmClockSeconds) {}

  public record CloneRequest(String name, List<String> ports) {}

  static SnapshotJson json(VmSnapshots.Snapshot s) {
    return new SnapshotJson(s.name(), s.id(), s.created().toString(), s.memoryBytes(),
        s.vmClock().toMillis() / 1000.0);
  }

  private void snapshots(ApiRequest req, ApiResponse res) throws IOException {
    res.json(200, vms.snapshots().list(req.pathParam("id")).stream().map(s -> json(s)).toList());
  }

  private void snapshot(ApiRequest req, ApiResponse res) throws IOException {
    SnapshotRequest body = req.jsonBody(SnapshotRequest.class);
    if (body == null || body.name() == null) {
      throw new BerthException.InvalidArgument("no snapshot name: send {\"Name\": \"...\"}");
    }
    res.json(201, json(vms.snapshots().create(req.pathParam("id"), body.name())));
  }

  /** As Docker's {@code POST /commit}: {@code repo} and {@code tag} name the new image; answers its ID. */
  private void commit(ApiRequest req, ApiResponse res) throws IOException {
    Optional<Reference> tag = req.query("repo").filter(s -> !s.isEmpty())
        .map(repo -> Reference.parse(req.query("tag").filter(t -> !t.isEmpty()).map(t -> repo + ":" + t).orElse(repo)));
    Image image = diskImages.commit(req.pathParam("id"), tag);
    res.json(201, java.util.Map.of("Id", image.id().toString()));
  }

  private void cloneVm(ApiRequest req, ApiResponse res) throws IOException {
    CloneRequest body = req.jsonBody(CloneRequest.class);
    if (body == null) {
      throw new BerthException.InvalidArgument("empty request body: send {\"Name\": \"...\"} for the clone");
    }
    Vm vm = vms.cloneOf(req.pathParam("id"), body.name(), body.ports());
    res.json(201, new CreateResponse(vm.id(), List.of()));
  }

  /** The create request body; PascalCase on the wire like every Berth and Docker body. */
  public record CreateRequest(String name, Integer cpus, String memory, String disk, String fromDisk,
      String kernel, String initrd, String append, String cloudInit, List<String> ports, String accel, String image,
      List<String> networks) {}

  public record CreateResponse(String id, List<String> warnings) {}

  public record VmJson(String id, String name, String created, String state, long pid, String accel,
      String startedAt, String stoppedAt, ConfigJson config, List<String> ports, String dir, String runDir,
      String serialLog, java.util.Map<String, AddressJson> networks) {}

  /** The VM's address on one of Berth's networks while it runs (what its DHCP server hands out). */
  public record AddressJson(String networkID, String iPAddress, int iPPrefixLen, String gateway, String macAddress) {}

  public record ConfigJson(int cpus, long memory, String machine, String disk, String diskFormat,
      String baseDisk, String kernel, String initrd, String append, String cloudInitSeed, String accel, String image,
      List<String> networks) {}

  VmJson json(Vm vm) {
    VmConfig c = vm.config();
    java.util.Map<String, AddressJson> addresses = new java.util.LinkedHashMap<>();
    if (!c.networks().isEmpty()) {
      for (NetworkService.EndpointView e : networks.endpoints(vm.id())) {
        e.attached().ifPresent(a -> addresses.put(e.network().name(), new AddressJson(e.network().id(), a.ipAddress(),
            a.prefixLen(), a.gateway(), a.macAddress())));
      }
    }
    return new VmJson(vm.id(), vm.name(), vm.created(), vm.state().name(), vm.state().pid(), vm.accel(),
        vm.startedAt(), vm.stoppedAt(),
        new ConfigJson(c.cpus(), c.memoryBytes(), c.machine(), c.disk(), c.diskFormat(), c.baseDisk(),
            c.kernel(), c.initrd(), c.append(), c.seed(), c.accel(), c.image(), c.networks()),
        c.ports().stream().map(PortMapping::toString).toList(),
        vm.dir().toString(), vm.runDir().toString(), vm.serialLog().toString(), addresses);
  }

  private static Duration timeout(ApiRequest req) {
    String t = req.query("t").orElse(Integer.toString(DEFAULT_STOP_SECONDS));
    try {
      int seconds = Integer.parseInt(t);
      if (seconds < 0) {
        throw new NumberFormatException();
      }
      return Duration.ofSeconds(seconds);
    } catch (NumberFormatException e) {
      throw new BerthException.InvalidArgument("invalid t=" + t + ": give the stop timeout in whole seconds");
    }
  }

  private void list(ApiRequest req, ApiResponse res) throws IOException {
    res.json(200, vms.list().stream().map(this::json).toList());
  }

  private void inspect(ApiRequest req, ApiResponse res) throws IOException {
    res.json(200, json(vms.inspect(req.pathParam("id"))));
  }

  private void create(ApiRequest req, ApiResponse res) throws IOException {
    CreateRequest body = req.jsonBody(CreateRequest.class);
    if (body == null) {
      throw new BerthException.InvalidArgument("empty request body: send the VM's configuration as JSON");
    }
    Vm vm = vms.create(new VmSpec(body.name(), body.cpus(), body.memory(), body.disk(), body.fromDisk(),
        body.kernel(), body.initrd(), body.append(), body.cloudInit(), body.ports(), body.accel(), body.image(),
        body.networks()));
    res.json(201, new CreateResponse(vm.id(), List.of()));
  }

  private void remove(ApiRequest req, ApiResponse res) throws IOException {
    vms.remove(req.pathParam("id"), req.queryFlag("force"));
    res.empty(204);
  }

  private void logs(ApiRequest req, ApiResponse res) throws IOException {
    String id = vms.inspect(req.pathParam("id")).id(); // 404 before the stream starts
    try (OutputStream out = res.stream(200, "text/plain; charset=utf-8")) {
      vms.logs(id, req.queryFlag("follow"), out);
    } catch (IOException clientGone) {
      // the reader hung up while following
    }
  }

  /** The serial console as a raw duplex stream: client bytes to the guest, guest output back. */
  private void console(ApiRequest req, ApiResponse res) throws IOException {
    SocketChannel serial = vms.openConsole(req.pathParam("id")); // errors before the hijack
    try (serial) {
      RawStream raw = res.hijack("application/vnd.docker.raw-stream");
      Thread input = Thread.ofVirtual().name("vm-console-in").start(() -> {
        try (InputStream in = raw.input()) {
          OutputStream toGuest = Channels.newOutputStream(serial);
          in.transferTo(toGuest);
        } catch (IOException e) {
          // either side closed
        } finally {
          // The client detached or hung up: closing the socket ends the copy below.
          closeQuietly(serial);
        }
      });
      ByteBuffer buffer = ByteBuffer.allocate(8192);
      OutputStream toClient = raw.output();
      try {
        while (serial.read(buffer) >= 0) {
          buffer.flip();
          toClient.write(buffer.array(), 0, buffer.limit());
          buffer.clear();
        }
      } catch (IOException e) {
        // the console socket closed (VM stopped or client detached)
      }
      raw.closeOutput();
      input.interrupt();
    }
  }

  private static void closeQuietly(SocketChannel ch) {
    try {
      ch.close();
    } catch (IOException ignored) {
      // already closed
    }
  }
}

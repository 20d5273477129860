package dev.berth.daemon.api.berth;

import dev.berth.daemon.http.ApiRequest;
import dev.berth.daemon.http.ApiResponse;
import dev.berth.daemon.http.Router;
import dev.berth.engine.Engine;
import dev.berth.engine.system.SystemInfo;
import java.io.IOException;

/** Berth's own routes under {@code /berth/v1/}, for what Docker's API has no word for. */
public final class BerthApi {
  public static final String PREFIX = "/berth/v1";

  private final Engine engine;

  private BerthApi(Engine engine) {
    this.engine = engine;
  }

  public static void register(Router router, Engine engine) {
    BerthApi api = new BerthApi(engine);
    router.get(PREFIX + "/info", api::info);
    new VmRoutes(engine.vms(), engine.vmDiskImages(), engine.networks()).register(router);
    new BenchRoutes(engine.bench()).register(router);
  }

  /** Facts Docker's /info has no field for: the cgroup layout, roots, schema version. */
  public record BerthInfo(
      String version,
      String dataRoot,
      String execRoot,
      int schemaVersion,
      String cgroupLayout,
      String stateDatabase,
      String hypervisor,
      String microVm) {}

  private void info(ApiRequest req, ApiResponse res) throws IOException {
    SystemInfo info = engine.system().info();
    res.json(200, new BerthInfo(info.serverVersion(), info.dataRoot().toString(), info.execRoot().toString(),
        info.schemaVersion(), info.host().cgroupLayout().name().toLowerCase(),
        engine.state().file().toString(), engine.vms().hypervisor(),
        engine.containers().microVms().describe()));
  }
}

package dev.berth.daemon.api.docker;

import dev.berth.daemon.http.Router;
import dev.berth.engine.Engine;

/** The Docker Engine API's routes, mapped onto engine calls. No business logic lives here. */
public final class DockerApi {
  private DockerApi() {}

  public static void register(Router router, Engine engine) {
    new SystemRoutes(engine.system(), engine.vms()::hypervisor, engine.containers().microVms()::describe).register(router);
    new ImageTransferRoutes(engine).register(router);
    new ImageRoutes(engine).register(router);
    new ContainerRoutes(engine).register(router);
    new VolumeRoutes(engine.volumes()).register(router);
    new NetworkRoutes(engine).register(router);
    new ContainerFileRoutes(engine).register(router);
    new EventRoutes(engine.events()).register(router);
    new DiskUsageRoutes(engine).register(router);
    new SwarmRoutes().register(router);
    new PluginRoutes().register(router);
    new BuildRoutes(engine).register(router);
  }
}

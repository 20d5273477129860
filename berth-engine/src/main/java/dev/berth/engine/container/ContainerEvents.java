package dev.berth.engine.container;

import dev.berth.engine.events.EventBus;
import java.util.Map;

/** Publishes a container's lifecycle events with Docker's attributes (name, image, labels, then extras). */
public final class ContainerEvents {
  private final EventBus bus;

  public ContainerEvents(EventBus bus) {
    this.bus = bus;
  }

  public void emit(Container c, String action) {
    emit(c, action, Map.of());
  }

  public void emit(Container c, String action, Map<String, String> extra) {
    bus.container(action, c.id(), c.name(), c.imageRef(), c.config().labels(), extra);
  }

  /** Emits and hands the container back, so a return statement can announce it. */
  Container emitted(Container c, String action) {
    emit(c, action);
    return c;
  }

  /** An exec's events carry its ID; the action names the command, as in Docker ("exec_start: sh -c x"). */
  void exec(Container c, String action, ContainerExecs.Exec e, Map<String, String> extra) {
    Map<String, String> attrs = new java.util.LinkedHashMap<>(extra);
    attrs.put("execID", e.id());
    String cmd = String.join(" ", e.config().cmd());
    emit(c, action.equals("exec_die") ? action : action + ": " + cmd, attrs);
  }
}

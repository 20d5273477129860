package dev.berth.engine.events;

import java.time.Instant;
import java.util.Map;

/**
 * Something that happened to an object, in Docker's terms: {@code type} container, image,
 * network, volume or daemon; {@code action} such as start, die, pull; the actor's ID and
 * attributes (name, image, labels, exitCode…).
 */
public record Event(String type, String action, String actorId, Map<String, String> attributes, Instant time) {
  public Event {
    attributes = Map.copyOf(attributes);
  }

  /** The action's first word: {@code exec_start: sh -c x} is an {@code exec_start}. */
  public String baseAction() {
    int colon = action.indexOf(':');
    return colon < 0 ? action : action.substring(0, colon);
  }
}

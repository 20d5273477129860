package dev.berth.engine.events;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Docker's event filters: values of one key are alternatives (OR), keys together must all hold
 * (AND). Keys: type, event, container, image, label, network, volume, daemon.
 */
public record EventFilter(Map<String, List<String>> values) {
  public static final Set<String> KEYS = Set.of("type", "event", "container", "image", "label", "network", "volume",
      "daemon", "scope");

  public EventFilter {
    values = Map.copyOf(values);
  }

  public static EventFilter none() {
    return new EventFilter(Map.of());
  }

  public boolean test(Event e) {
    return matches("type", e.type())
        && matchesAny("event", List.of(e.action(), e.baseAction()))
        && objectMatches("container", "container", e)
        && imageMatches(e)
        && objectMatches("network", "network", e)
        && objectMatches("volume", "volume", e)
        && objectMatches("daemon", "daemon", e)
        && matches("scope", "local")
        && labelsMatch(e.attributes());
  }

  private boolean matches(String key, String value) {
    return matchesAny(key, List.of(value));
  }

  private boolean matchesAny(String key, List<String> candidates) {
    List<String> want = values.get(key);
    return want == null || want.isEmpty() || want.stream().anyMatch(candidates::contains);
  }

  /** A container (network, volume…) filter names its ID, an ID prefix, or its name. */
  private boolean objectMatches(String key, String type, Event e) {
    List<String> want = values.get(key);
    if (want == null || want.isEmpty()) {
      return true;
    }
    if (!e.type().equals(type)) {
      return false;
    }
    String name = e.attributes().getOrDefault("name", "");
    return want.stream().anyMatch(w -> w.equals(name) || (!w.isEmpty() && e.actorId().startsWith(w)));
  }

  /** An image filter matches image events by name or ID, and container events by their image. */
  private boolean imageMatches(Event e) {
    List<String> want = values.get("image");
    if (want == null || want.isEmpty()) {
      return true;
    }
    List<String> names = switch (e.type()) {
      case "image" -> List.of(e.actorId(), e.attributes().getOrDefault("name", ""));
      case "container" -> List.of(e.attributes().getOrDefault("image", ""));
      default -> List.of();
    };
    return want.stream().anyMatch(w -> names.stream().anyMatch(n -> !n.isEmpty()
        && (n.equals(w) || n.equals(w + ":latest") || stripTag(n).equals(w) || n.startsWith("sha256:" + w))));
  }

  private static String stripTag(String ref) {
    int slash = ref.lastIndexOf('/');
    int colon = ref.lastIndexOf(':');
    return colon > slash ? ref.substring(0, colon) : ref;
  }

  /** "key" requires the attribute, "key=value" that value (labels are attributes of the actor). */
  private boolean labelsMatch(Map<String, String> attributes) {
    for (String want : values.getOrDefault("label", List.of())) {
      int eq = want.indexOf('=');
      if (eq < 0 ? !attributes.containsKey(want)
          : !want.substring(eq + 1).equals(attributes.get(want.substring(0, eq)))) {
        return false;
      }
    }
    return true;
  }
}

package dev.berth.engine.image.registry;

import dev.berth.engine.BerthException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The order a pull asks its endpoints in, and the fall-through between them: a repository's
 * mirrors in their configured order, then the registry itself. Any failure of a mirror
 * (connection refused, 404, 5xx, refused auth, a digest that does not check out) moves on to
 * the next; only the last endpoint's failure is the caller's, with what the mirrors said added.
 * The endpoint that served a repository's manifest is asked first for the rest of the pull (its
 * blobs), so a working mirror is not preceded by a dead one for every layer.
 */
final class PullEndpoints {
  private static final Logger log = LoggerFactory.getLogger(PullEndpoints.class);

  /** Per repository ({@code domain/repository}): the endpoint that last answered. */
  private final ConcurrentHashMap<String, Endpoint> served = new ConcurrentHashMap<>();

  /** {@code all} (mirrors first, the registry last) with the one that served {@code repository} moved first. */
  List<Endpoint> order(String repository, List<Endpoint> all) {
    Endpoint preferred = served.get(repository);
    if (preferred == null || !all.contains(preferred) || all.getFirst().equals(preferred)) {
      return all;
    }
    List<Endpoint> ordered = new ArrayList<>(all.size());
    ordered.add(preferred);
    all.stream().filter(e -> !e.equals(preferred)).forEach(ordered::add);
    return ordered;
  }

  /**
   * Runs {@code attempt} against each endpoint in turn until one succeeds.
   *
   * @param what what is fetched, for the log
   */
  <T> T first(String repository, List<Endpoint> all, String what, Function<Endpoint, T> attempt) {
    List<Endpoint> endpoints = order(repository, all);
    List<String> failures = new ArrayList<>();
    for (int i = 0; ; i++) {
      Endpoint endpoint = endpoints.get(i);
      try {
        T result = attempt.apply(endpoint);
        if (endpoints.size() > 1) {
          served.put(repository, endpoint);
        }
        return result;
      } catch (BerthException e) {
        if (i == endpoints.size() - 1) {
          throw failures.isEmpty() ? e : withNote(e, "; tried before: " + String.join("; ", failures));
        }
        log.info("{} from {} failed, trying {}: {}", what, endpoint.display(),
            endpoints.get(i + 1).display(), e.getMessage());
        failures.add(endpoint.display() + ": " + e.getMessage());
      }
    }
  }

  /** The same kind of error, with {@code note} added (a 404 stays a 404). */
  static BerthException withNote(BerthException e, String note) {
    String message = e.getMessage() + note;
    BerthException noted = switch (e) {
      case BerthException.NotFound _ -> new BerthException.NotFound(message);
      case BerthException.InvalidArgument _ -> new BerthException.InvalidArgument(message, e);
      case BerthException.Unavailable _ -> new BerthException.Unavailable(message, e);
      default -> e;
    };
    if (noted != e && noted.getCause() == null) {
      noted.addSuppressed(e);
    }
    return noted;
  }
}

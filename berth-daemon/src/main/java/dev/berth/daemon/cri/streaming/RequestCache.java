package dev.berth.daemon.cri.streaming;

import dev.berth.engine.BerthException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The requests behind the URLs handed out, as kubelet's streaming server keeps them: each under a
 * random token (8 bytes, base64url), used once, forgotten after a minute, at most 1000 waiting.
 */
final class RequestCache {
  static final Duration TTL = Duration.ofMinutes(1);
  static final int MAX_IN_FLIGHT = 1000;
  private static final int TOKEN_BYTES = 8;

  private final SecureRandom random = new SecureRandom();
  private final Clock clock;
  /** In insertion order, so the expired ones are at the head. */
  private final LinkedHashMap<String, Entry> entries = new LinkedHashMap<>();

  private record Entry(Object request, Instant expires) {}

  RequestCache(Clock clock) {
    this.clock = clock;
  }

  /** Keeps {@code request}; returns its token. Unavailable when too many wait unused. */
  synchronized String insert(Object request) {
    evictExpired();
    if (entries.size() >= MAX_IN_FLIGHT) {
      throw new BerthException.Unavailable("maximum number of in-flight requests exceeded");
    }
    String token;
    do {
      byte[] bytes = new byte[TOKEN_BYTES];
      random.nextBytes(bytes);
      token = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    } while (entries.containsKey(token));
    entries.put(token, new Entry(request, clock.instant().plus(TTL)));
    return token;
  }

  /** The request behind {@code token}, removed: a token works once, and only before it expires. */
  synchronized Optional<Object> consume(String token) {
    Entry e = entries.remove(token);
    if (e == null || !clock.instant().isBefore(e.expires())) {
      return Optional.empty();
    }
    return Optional.of(e.request());
  }

  synchronized int size() {
    return entries.size();
  }

  private void evictExpired() {
    Instant now = clock.instant();
    for (Iterator<Map.Entry<String, Entry>> it = entries.entrySet().iterator(); it.hasNext(); ) {
      if (now.isBefore(it.next().getValue().expires())) {
        return;
      }
      it.remove();
    }
  }
}

package dev.berth.daemon.cri.streaming;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.engine.BerthException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RequestCacheTest {
  /** A clock the test moves. */
  private static final class ManualClock extends Clock {
    Instant now = Instant.parse("2026-12-07T00:00:00Z");

    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  @Test
  void aTokenWorksOnce() {
    RequestCache cache = new RequestCache(Clock.systemUTC());
    String token = cache.insert("request");
    assertThat(token).matches("[A-Za-z0-9_-]{11}"); // 8 random bytes, base64url without padding, as kubelet's
    assertThat(cache.consume(token)).contains("request");
    assertThat(cache.consume(token)).isEmpty();
  }

  @Test
  void aTokenExpiresAfterAMinute() {
    ManualClock clock = new ManualClock();
    RequestCache cache = new RequestCache(clock);
    String used = cache.insert("in time");
    String late = cache.insert("late");
    clock.now = clock.now.plus(Duration.ofSeconds(59));
    assertThat(cache.consume(used)).contains("in time");
    clock.now = clock.now.plus(Duration.ofSeconds(1));
    assertThat(cache.consume(late)).isEmpty();
  }

  @Test
  void tokensAreDistinctAndBoundedInNumberWhileUnused() {
    ManualClock clock = new ManualClock();
    RequestCache cache = new RequestCache(clock);
    Set<String> tokens = new HashSet<>();
    for (int i = 0; i < RequestCache.MAX_IN_FLIGHT; i++) {
      tokens.add(cache.insert(i));
    }
    assertThat(tokens).hasSize(RequestCache.MAX_IN_FLIGHT);
    assertThatThrownBy(() -> cache.insert("one too many")).isInstanceOf(BerthException.Unavailable.class)
        .hasMessage("maximum number of in-flight requests exceeded");
    clock.now = clock.now.plus(RequestCache.TTL);
    cache.insert("after the others expired");
    assertThat(cache.size()).isEqualTo(1);
  }
}

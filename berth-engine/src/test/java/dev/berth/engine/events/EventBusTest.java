package dev.berth.engine.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The event ring, live subscriptions and Docker's filter rules. */
class EventBusTest {
  private static final Map<String, String> NONE = Map.of();

  private static EventFilter filter(Map<String, List<String>> values) {
    return new EventFilter(values);
  }

  private static List<String> actions(List<Event> events) {
    return events.stream().map(e -> e.type() + ":" + e.action()).toList();
  }

  @Test
  void filtersCombineKeysWithAndAndValuesWithOr() {
    EventBus bus = new EventBus(Clock.systemUTC());
    bus.container("start", "aaa111", "web", "busybox:latest", Map.of("tier", "front"), NONE);
    bus.container("die", "aaa111", "web", "busybox:latest", Map.of("tier", "front"), Map.of("exitCode", "0"));
    bus.container("start", "bbb222", "db", "postgres", NONE, NONE);
    bus.image("pull", "busybox:latest", "busybox");
    bus.container("exec_start: sh -c true", "bbb222", "db", "postgres", NONE, Map.of("execID", "e1"));

    assertThat(actions(bus.since(Instant.EPOCH, filter(Map.of("type", List.of("image")))))).containsExactly("image:pull");
    assertThat(actions(bus.since(Instant.EPOCH, filter(Map.of("container", List.of("web"), "event", List.of("die"))))))
        .containsExactly("container:die");
    assertThat(actions(bus.since(Instant.EPOCH, filter(Map.of("container", List.of("bbb", "web")))))).hasSize(4);
    assertThat(actions(bus.since(Instant.EPOCH, filter(Map.of("image", List.of("busybox")))))).containsExactly(
        "container:start", "container:die", "image:pull");
    assertThat(actions(bus.since(Instant.EPOCH, filter(Map.of("label", List.of("tier=front")))))).hasSize(2);
    assertThat(actions(bus.since(Instant.EPOCH, filter(Map.of("label", List.of("tier=back")))))).isEmpty();
    // An exec's action names its command; the filter matches the bare action.
    assertThat(actions(bus.since(Instant.EPOCH, filter(Map.of("event", List.of("exec_start"))))))
        .containsExactly("container:exec_start: sh -c true");
  }

  @Test
  void sinceReplaysOnlyNewerEventsAndTheRingKeepsTheLastN() {
    Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
    Instant[] now = {t0};
    Clock clock = new Clock() {
      @Override public ZoneOffset getZone() {
        return ZoneOffset.UTC;
      }

      @Override public Clock withZone(java.time.ZoneId zone) {
        return this;
      }

      @Override public Instant instant() {
        return now[0];
      }
    };
    EventBus bus = new EventBus(clock, 3);
    for (int i = 0; i < 5; i++) {
      now[0] = t0.plusSeconds(i);
      bus.image("tag", "sha256:" + i, "img:" + i);
    }
    assertThat(bus.since(Instant.EPOCH, EventFilter.none())).extracting(Event::actorId)
        .containsExactly("sha256:2", "sha256:3", "sha256:4");
    assertThat(bus.since(t0.plusSeconds(4), EventFilter.none())).extracting(Event::actorId).containsExactly("sha256:4");
  }

  @Test
  void aSubscriberGetsTheReplayThenLiveEventsThatPassItsFilter() throws InterruptedException {
    EventBus bus = new EventBus(Clock.systemUTC());
    bus.image("pull", "a:1", "a");
    try (EventBus.Subscription sub = bus.subscribe(Instant.EPOCH, filter(Map.of("type", List.of("image"))))) {
      bus.container("start", "c1", "n", "a:1", NONE, NONE);
      bus.image("push", "a:1", "a");
      assertThat(sub.next(1000).action()).isEqualTo("pull");
      assertThat(sub.next(1000).action()).isEqualTo("push");
      assertThat(sub.next(10)).isNull();
    }
    bus.image("tag", "a:1", "a:2"); // after close: no one listens, nothing blocks
  }

  @Test
  void aSubscriberThatFallsTooFarBehindIsCutOffInsteadOfBlockingPublishers() throws InterruptedException {
    EventBus bus = new EventBus(Clock.systemUTC(), 10);
    try (EventBus.Subscription sub = bus.subscribe(null, EventFilter.none())) {
      for (int i = 0; i <= EventBus.QUEUE_LIMIT; i++) {
        bus.image("tag", "x", "y");
      }
      assertThat(sub.next(10)).isNull();
      assertThat(sub.overflowed()).isTrue();
    }
  }
}

package dev.berth.engine.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.engine.BerthException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class PullFlightsTest {
  private final PullFlights flights = new PullFlights();
  private final PullFlights.Key key =
      new PullFlights.Key("docker.io/library/busybox:latest", Platform.DEFAULT, Optional.empty());

  /** A pull that reports a layer, waits for {@code release}, reports again, then ends with {@code outcome}. */
  private static java.util.function.Function<Consumer<PullEvent>, String> slowPull(
      AtomicInteger runs, CountDownLatch release, RuntimeException failure) {
    return events -> {
      runs.incrementAndGet();
      events.accept(new PullEvent.Status("latest", "Pulling from library/busybox"));
      events.accept(new PullEvent.Layer("abc", "Downloading", 1, 10));
      try {
        assertThat(release.await(10, TimeUnit.SECONDS)).isTrue();
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
      events.accept(new PullEvent.Layer("abc", "Pull complete", 10, 10));
      if (failure != null) {
        throw failure;
      }
      return "image-" + runs.get();
    };
  }

  @Test
  void aSecondCallerWaitsForTheFirstSharesItsResultAndSeesAllProgress() throws Exception {
    AtomicInteger runs = new AtomicInteger();
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch leaderStarted = new CountDownLatch(1);
    CountDownLatch followerCaughtUp = new CountDownLatch(1);
    List<PullEvent> leaderEvents = new CopyOnWriteArrayList<>();
    List<PullEvent> followerEvents = new CopyOnWriteArrayList<>();
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      Future<String> leader = pool.submit(() -> flights.run(key, e -> {
        leaderEvents.add(e);
        leaderStarted.countDown();
      }, slowPull(runs, release, null)));
      assertThat(leaderStarted.await(10, TimeUnit.SECONDS)).isTrue();
      Future<String> follower = pool.submit(() -> flights.run(key, e -> {
        followerEvents.add(e);
        if (e instanceof PullEvent.Layer l && l.status().equals("Downloading")) {
          followerCaughtUp.countDown();
        }
      }, slowPull(runs, release, null)));
      assertThat(followerCaughtUp.await(10, TimeUnit.SECONDS)).isTrue();
      release.countDown();

      assertThat(leader.get(10, TimeUnit.SECONDS)).isEqualTo("image-1");
      assertThat(follower.get(10, TimeUnit.SECONDS)).isEqualTo("image-1");
    }
    assertThat(runs).hasValue(1);
    assertThat(followerEvents).containsExactlyElementsOf(leaderEvents);
    assertThat(flights.inFlight()).isZero();
  }

  @Test
  void theFirstCallersErrorIsEveryonesAndTheNextPullStartsAfresh() throws Exception {
    AtomicInteger runs = new AtomicInteger();
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch leaderStarted = new CountDownLatch(1);
    CountDownLatch followerJoined = new CountDownLatch(1);
    BerthException.NotFound missing = new BerthException.NotFound("manifest busybox:latest not found");
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      Future<String> leader = pool.submit(() -> flights.run(key, _ -> leaderStarted.countDown(),
          slowPull(runs, release, missing)));
      assertThat(leaderStarted.await(10, TimeUnit.SECONDS)).isTrue();
      Future<String> follower = pool.submit(() -> flights.run(key, _ -> followerJoined.countDown(),
          slowPull(runs, release, missing)));
      assertThat(followerJoined.await(10, TimeUnit.SECONDS)).isTrue();
      release.countDown();

      assertThatThrownBy(leader::get).hasCause(missing);
      assertThatThrownBy(follower::get).hasCause(missing);
    }
    assertThat(runs).hasValue(1);
    String again = flights.run(key, _ -> {}, _ -> "again");
    assertThat(again).isEqualTo("again");
  }

  @Test
  void differentCredentialsOrPlatformsArePulledSeparately() {
    PullFlights.Key other = new PullFlights.Key(key.reference(), key.platform(), Optional.of("bob"));
    PullFlights.Key arm = new PullFlights.Key(key.reference(), Platform.parse("linux/arm64"), Optional.empty());
    AtomicInteger runs = new AtomicInteger();
    // Nested: each starts while the outer one is under way, and is not merged into it.
    String result = flights.run(key, _ -> {}, _ -> flights.run(other, _ -> {}, _ ->
        flights.run(arm, _ -> {}, _ -> "runs=" + runs.incrementAndGet())));
    assertThat(result).isEqualTo("runs=1");
    assertThat(flights.inFlight()).isZero();
  }

  @Test
  void aListenerThatFailsStopsListeningButThePullGoesOn() {
    AtomicInteger seen = new AtomicInteger();
    String result = flights.run(key, e -> {
      seen.incrementAndGet();
      throw new IllegalStateException("client went away");
    }, events -> {
      events.accept(new PullEvent.Status(null, "one"));
      events.accept(new PullEvent.Status(null, "two"));
      return "done";
    });
    assertThat(result).isEqualTo("done");
    assertThat(seen).hasValue(1);
  }
}

package dev.berth.engine.image;

import dev.berth.engine.BerthException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pulls of one image asked for at once are done once (single-flight, as CRI-O does for pods
 * that start together): the first caller pulls on its own thread, later ones wait for it and
 * share its result or its error. Every caller sees the progress: a late one first gets what
 * happened so far (each layer's latest state), then the rest as it happens. A caller whose
 * listener fails (its client went away) stops listening; the pull goes on for the others.
 *
 * <p>Content already shared below this (concurrent writers of one blob share a download in
 * {@code ContentStore}, one layer is unpacked once in {@code LayerStore}) keeps pulls of
 * <em>different</em> images that share layers from doing the work twice; this adds the
 * manifest and config requests and the bookkeeping of the same image.
 */
final class PullFlights {
  private static final Logger log = LoggerFactory.getLogger(PullFlights.class);

  /**
   * What makes two pulls the same: the normalized reference, the platform, and who asks (the
   * credentials), so that a caller without access never gets an image through another's login.
   */
  record Key(String reference, Platform platform, Object identity) {}

  private final ConcurrentHashMap<Key, Flight> flights = new ConcurrentHashMap<>();

  /**
   * Runs {@code pull} unless the same pull is under way, in which case it waits for that one.
   *
   * @param pull does the work, reporting to the consumer it is given (every caller's listener)
   */
  <T> T run(Key key, Consumer<PullEvent> events, Function<Consumer<PullEvent>, T> pull) {
    Flight fresh = new Flight();
    Flight flight = flights.putIfAbsent(key, fresh);
    if (flight != null) {
      log.info("pull of {} already under way; waiting for it", key.reference());
      flight.listen(events);
      try {
        @SuppressWarnings("unchecked")
        T result = (T) flight.result.get();
        return result;
      } catch (ExecutionException e) {
        throw rethrow(e.getCause());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new BerthException.Unavailable("interrupted while waiting for the pull of " + key.reference(), e);
      } finally {
        flight.unlisten(events);
      }
    }
    fresh.listen(events);
    try {
      T result = pull.apply(fresh::publish);
      flights.remove(key, fresh);
      fresh.result.complete(result);
      return result;
    } catch (RuntimeException | Error e) {
      flights.remove(key, fresh);
      fresh.result.completeExceptionally(e);
      throw e;
    }
  }

  /** How many pulls are under way (for tests). */
  int inFlight() {
    return flights.size();
  }

  private static RuntimeException rethrow(Throwable cause) {
    return switch (cause) {
      case RuntimeException runtime -> runtime;
      case Error error -> throw error;
      default -> new BerthException.Unavailable("the pull failed: " + cause, cause);
    };
  }

  /** One pull under way: its listeners, what it reported so far, its outcome. */
  private static final class Flight {
    final CompletableFuture<Object> result = new CompletableFuture<>();
    private final List<Consumer<PullEvent>> listeners = new ArrayList<>();
    /** Status lines in order, and each layer's latest state at the place it first appeared. */
    private final Map<Object, PullEvent> sofar = new LinkedHashMap<>();

    synchronized void listen(Consumer<PullEvent> listener) {
      for (PullEvent event : sofar.values()) {
        if (!deliver(listener, event)) {
          return;
        }
      }
      listeners.add(listener);
    }

    synchronized void unlisten(Consumer<PullEvent> listener) {
      listeners.remove(listener);
    }

    synchronized void publish(PullEvent event) {
      Object slot = event instanceof PullEvent.Layer layer ? "layer " + layer.layerId() : new Object();
      sofar.put(slot, event);
      listeners.removeIf(listener -> !deliver(listener, event));
    }

    private static boolean deliver(Consumer<PullEvent> listener, PullEvent event) {
      try {
        listener.accept(event);
        return true;
      } catch (RuntimeException gone) {
        log.debug("a pull's listener failed; it stops listening: {}", gone.toString());
        return false;
      }
    }
  }
}

package dev.berth.engine.events;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine's events: the last {@value #DEFAULT_CAPACITY} kept in memory (for {@code since}),
 * and live subscribers. Publishing never blocks: a subscriber that falls {@value #QUEUE_LIMIT}
 * events behind is cut off (its stream ends), as dockerd drops slow event readers.
 */
public final class EventBus {
  private static final Logger log = LoggerFactory.getLogger(EventBus.class);
  public static final int DEFAULT_CAPACITY = 1024;
  static final int QUEUE_LIMIT = 4096;

  private final Clock clock;
  private final int capacity;
  private final ArrayDeque<Event> ring = new ArrayDeque<>();
  private final List<Subscription> subscribers = new CopyOnWriteArrayList<>();
  private Instant last = Instant.EPOCH;

  public EventBus(Clock clock) {
    this(clock, DEFAULT_CAPACITY);
  }

  public EventBus(Clock clock, int capacity) {
    this.clock = clock;
    this.capacity = capacity;
  }

  /** Records an event with the actor's attributes; returns it. */
  public Event publish(String type, String action, String actorId, Map<String, String> attributes) {
    Event e;
    synchronized (ring) {
      Instant now = clock.instant();
      // Strictly increasing times keep since/until and the ring's order consistent.
      if (!now.isAfter(last)) {
        now = last.plusNanos(1);
      }
      last = now;
      e = new Event(type, action, actorId, attributes, now);
      ring.addLast(e);
      if (ring.size() > capacity) {
        ring.removeFirst();
      }
      for (Subscription s : subscribers) {
        s.offer(e);
      }
    }
    log.debug("event {} {} {}", type, action, actorId);
    return e;
  }

  /** A container event: attributes are the container's name and image plus its labels, then {@code extra}. */
  public Event container(String action, String id, String name, String image, Map<String, String> labels,
      Map<String, String> extra) {
    Map<String, String> attrs = new LinkedHashMap<>(labels == null ? Map.of() : labels);
    attrs.put("image", image);
    attrs.put("name", name);
    attrs.putAll(extra);
    return publish("container", action, id, attrs);
  }

  /** An image event as dockerd logs it: the actor is an image ID or reference, {@code name} a reference. */
  public Event image(String action, String actorId, String name) {
    return publish("image", action, actorId, Map.of("name", name));
  }

  /** A network event: the actor is the network's ID; connect/disconnect name the container. */
  public Event network(String action, String id, String name, String containerId) {
    Map<String, String> attrs = new LinkedHashMap<>();
    if (containerId != null) {
      attrs.put("container", containerId);
    }
    attrs.put("name", name);
    attrs.put("type", "bridge");
    return publish("network", action, id, attrs);
  }

  /** A volume event: the actor is the volume's name. */
  public Event volume(String action, String name, String driver) {
    return publish("volume", action, name, Map.of("driver", driver));
  }

  /** Past events at or after {@code since} that pass the filter, oldest first. */
  public List<Event> since(Instant since, EventFilter filter) {
    synchronized (ring) {
      return ring.stream().filter(e -> !e.time().isBefore(since) && filter.test(e)).toList();
    }
  }

  /**
   * Subscribes to events from now on, and atomically returns the past ones at or after
   * {@code since} (none when null), so nothing is missed or seen twice between the two.
   */
  public Subscription subscribe(Instant since, EventFilter filter) {
    synchronized (ring) {
      Subscription s = new Subscription(filter, this);
      if (since != null) {
        ring.stream().filter(e -> !e.time().isBefore(since) && filter.test(e)).forEach(s.queue::add);
      }
      subscribers.add(s);
      return s;
    }
  }

  /** A live feed of events; close it to stop receiving. */
  public static final class Subscription implements AutoCloseable {
    private static final Event END = new Event("", "", "", Map.of(), Instant.EPOCH);
    private final EventFilter filter;
    private final EventBus bus;
    private final BlockingQueue<Event> queue = new LinkedBlockingQueue<>();
    private volatile boolean overflowed;

    private Subscription(EventFilter filter, EventBus bus) {
      this.filter = filter;
      this.bus = bus;
    }

    private void offer(Event e) {
      if (overflowed || !filter.test(e)) {
        return;
      }
      if (queue.size() >= QUEUE_LIMIT) {
        overflowed = true;
        queue.clear();
        queue.add(END);
        bus.subscribers.remove(this);
        return;
      }
      queue.add(e);
    }

    /** The next event, waiting up to {@code timeoutMillis}; null on timeout or once the feed ended. */
    public Event next(long timeoutMillis) throws InterruptedException {
      Event e = queue.poll(timeoutMillis, java.util.concurrent.TimeUnit.MILLISECONDS);
      return e == END ? null : e;
    }

    /** True when the subscriber fell too far behind and was cut off. */
    public boolean overflowed() {
      return overflowed;
    }

    /** Events already queued, without waiting. */
    public List<Event> drain() {
      List<Event> out = new ArrayList<>();
      queue.drainTo(out);
      out.removeIf(e -> e == END);
      return out;
    }

    @Override
    public void close() {
      bus.subscribers.remove(this);
    }
  }
}

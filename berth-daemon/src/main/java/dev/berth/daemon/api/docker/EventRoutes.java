package dev.berth.daemon.api.docker;

import dev.berth.daemon.http.ApiRequest;
import dev.berth.daemon.http.ApiResponse;
import dev.berth.daemon.http.Json;
import dev.berth.daemon.http.Router;
import dev.berth.engine.BerthException;
import dev.berth.engine.events.Event;
import dev.berth.engine.events.EventBus;
import dev.berth.engine.events.EventFilter;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * {@code GET /events}: Docker's event stream, one JSON object a line. {@code since} replays the
 * kept events from then on; {@code until} ends the stream at that time (at once when it is past).
 */
public final class EventRoutes {
  private static final long POLL_MILLIS = 500;
  private final EventBus bus;

  public EventRoutes(EventBus bus) {
    this.bus = bus;
  }

  public void register(Router router) {
    router.get("/events", this::events);
  }

  private void events(ApiRequest req, ApiResponse res) throws IOException {
    Optional<Instant> since = req.query("since").filter(s -> !s.isEmpty()).map(s -> time(s, "since"));
    Optional<Instant> until = req.query("until").filter(s -> !s.isEmpty()).map(s -> time(s, "until"));
    EventFilter filter = new EventFilter(Filters.parse(req.query("filters").orElse(null), EventFilter.KEYS).values());
    // As dockerd: without since and until only new events; with until alone, the kept ones up to it.
    Instant replayFrom = since.orElse(until.isPresent() ? Instant.EPOCH : null);
    if (until.isPresent() && !until.get().isAfter(Instant.now())) {
      try (OutputStream out = res.stream(200, "application/json")) {
        for (Event e : bus.since(replayFrom, filter)) {
          if (!e.time().isAfter(until.get())) {
            write(out, e);
          }
        }
      }
      return;
    }
    try (EventBus.Subscription sub = bus.subscribe(replayFrom, filter);
        OutputStream out = res.stream(200, "application/json")) {
      while (true) {
        Event e;
        try {
          e = sub.next(POLL_MILLIS);
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          return;
        }
        if (e == null) {
          if (sub.overflowed() || !res.connected() || until.map(u -> Instant.now().isAfter(u)).orElse(false)) {
            return;
          }
          continue;
        }
        if (until.isPresent() && e.time().isAfter(until.get())) {
          return;
        }
        write(out, e);
      }
    } catch (IOException clientGone) {
      // docker events ended by ctrl-c: how an event stream normally ends
    }
  }

  private static void write(OutputStream out, Event e) throws IOException {
    out.write(Json.MAPPER.writeValueAsBytes(message(e)));
    out.write('\n');
    out.flush();
  }

  /** Docker's events.Message, with the legacy status/id/from of containers and images. */
  static Map<String, Object> message(Event e) {
    Map<String, Object> m = new LinkedHashMap<>();
    if (e.type().equals("container") || e.type().equals("image")) {
      m.put("status", e.action());
      m.put("id", e.actorId());
      if (e.type().equals("container") && e.attributes().containsKey("image")) {
        m.put("from", e.attributes().get("image"));
      }
    }
    m.put("Type", e.type());
    m.put("Action", e.action());
    m.put("Actor", Map.of("ID", e.actorId(), "Attributes", e.attributes()));
    m.put("scope", "local");
    m.put("time", e.time().getEpochSecond());
    m.put("timeNano", e.time().getEpochSecond() * 1_000_000_000L + e.time().getNano());
    return m;
  }

  /** Unix seconds with an optional fraction ("1700000000.123456789"), as the docker CLI sends, or RFC 3339. */
  static Instant time(String s, String name) {
    try {
      if (s.matches("-?\\d+(\\.\\d{1,9})?")) {
        int dot = s.indexOf('.');
        long seconds = Long.parseLong(dot < 0 ? s : s.substring(0, dot));
        long nanos = dot < 0 ? 0 : Long.parseLong((s.substring(dot + 1) + "000000000").substring(0, 9));
        return Instant.ofEpochSecond(seconds, nanos);
      }
      return Instant.parse(s);
    } catch (NumberFormatException | DateTimeParseException e) {
      throw new BerthException.InvalidArgument("invalid " + name + " '" + s
          + "': give Unix seconds (1700000000 or 1700000000.5) or an RFC 3339 time");
    }
  }
}

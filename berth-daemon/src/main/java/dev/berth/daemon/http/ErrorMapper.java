package dev.berth.daemon.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.berth.engine.BerthException;

/** The one place where failures become Docker status codes and {@code {"message": ...}} bodies. */
public final class ErrorMapper {
  private ErrorMapper() {}

  /** A status and the message for the client; {@code internal} failures get logged with a trace. */
  public record Mapped(int status, String message, boolean internal) {}

  public static Mapped map(Throwable error) {
    return switch (error) {
      // Never reaches the client; not berthd's failure either, so no trace in the log.
      case ClientGoneException e -> new Mapped(499, e.getMessage(), false);
      case java.io.UncheckedIOException e when e.getCause() instanceof ClientGoneException gone ->
          new Mapped(499, gone.getMessage(), false);
      case ApiError e -> new Mapped(e.status(), e.getMessage(), e.status() >= 500);
      case BerthException.NotFound e -> new Mapped(404, e.getMessage(), false);
      case BerthException.Conflict e -> new Mapped(409, e.getMessage(), false);
      case BerthException.InvalidArgument e -> new Mapped(400, e.getMessage(), false);
      case BerthException.Unavailable e -> new Mapped(503, e.getMessage(), false);
      case BerthException e -> new Mapped(500, e.getMessage(), true);
      case JsonProcessingException e -> new Mapped(400, jsonMessage(e), false);
      default -> new Mapped(500, internalMessage(error), true);
    };
  }

  /** Names the parse error and where it is, without Jackson's source dump. */
  static String jsonMessage(JsonProcessingException e) {
    StringBuilder sb = new StringBuilder("invalid JSON in request body: ").append(e.getOriginalMessage());
    if (e.getLocation() != null) {
      sb.append(" (line ").append(e.getLocation().getLineNr())
          .append(", column ").append(e.getLocation().getColumnNr()).append(')');
    }
    return sb.toString();
  }

  private static String internalMessage(Throwable error) {
    String message = error.getMessage();
    return "internal error in berthd: " + (message == null ? error.getClass().getSimpleName() : message)
        + " (details are in the daemon log)";
  }
}

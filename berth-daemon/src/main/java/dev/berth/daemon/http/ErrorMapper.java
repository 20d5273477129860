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
      // dockerd's status and words for a full disk; the fix is the user's, so no trace in the log.
      case dev.berth.engine.sys.NoSpaceLeft e -> new Mapped(500, e.getMessage(), false);
      case Throwable e when dev.berth.engine.sys.NoSpaceLeft.isCause(e) ->
          new Mapped(500, new dev.berth.engine.sys.NoSpaceLeft("the request", e).getMessage(), false);
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

  /** A path in a message: starts after a space, quote, bracket, '=' or ':' or at the start. */
  private static final java.util.regex.Pattern PATH =
      java.util.regex.Pattern.compile("(?<=^|[\\s'\"(\\[=:,])/[^\\s'\"(),;:\\[\\]]*");
  /** A stack frame's line, as a message that embeds a trace carries it. */
  private static final java.util.regex.Pattern FRAME =
      java.util.regex.Pattern.compile("(?m)^\\s*(at [\\w.$/<>]+\\(.*\\)|\\.\\.\\. \\d+ more)\\s*$\\R?");

  /**
   * What a 500's message may show a client: no stack frames, and no host path outside
   * {@code visibleRoots} (the data-root): a path elsewhere says how the host is laid out, which
   * only the daemon log needs.
   */
  public static String forClient(String message, java.util.List<java.nio.file.Path> visibleRoots) {
    String withoutFrames = FRAME.matcher(message).replaceAll("").strip();
    return PATH.matcher(withoutFrames).replaceAll(m -> {
      String path = m.group();
      for (java.nio.file.Path root : visibleRoots) {
        String r = root.toString();
        if (path.equals(r) || path.startsWith(r.endsWith("/") ? r : r + "/")) {
          return java.util.regex.Matcher.quoteReplacement(path);
        }
      }
      return "<path>";
    });
  }

  private static String internalMessage(Throwable error) {
    String message = error.getMessage();
    return "internal error in berthd: " + (message == null ? error.getClass().getSimpleName() : message)
        + " (details are in the daemon log)";
  }
}

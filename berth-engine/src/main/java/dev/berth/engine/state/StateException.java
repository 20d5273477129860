package dev.berth.engine.state;

/** The state database failed: a bug, a full disk or a damaged file, never the caller's input. */
public final class StateException extends RuntimeException {
  public StateException(String message, Throwable cause) {
    super(message, cause);
  }
}

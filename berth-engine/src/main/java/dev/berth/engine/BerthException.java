package dev.berth.engine;

/**
 * The one exception hierarchy of the engine. Each kind maps to one Docker API status in the
 * daemon (see the daemon's error mapping); messages say what failed and what the user can do.
 */
public sealed class BerthException extends RuntimeException
    permits BerthException.NotFound, BerthException.Conflict, BerthException.InvalidArgument,
        BerthException.Unavailable, BerthException.Failed {

  public BerthException(String message) {
    super(message);
  }

  public BerthException(String message, Throwable cause) {
    super(message, cause);
  }

  /** The named object does not exist (HTTP 404). */
  public static final class NotFound extends BerthException {
    public NotFound(String message) {
      super(message);
    }
  }

  /** The request clashes with the current state, such as a name in use (HTTP 409). */
  public static final class Conflict extends BerthException {
    public Conflict(String message) {
      super(message);
    }
  }

  /** The caller's input is wrong (HTTP 400). */
  public static final class InvalidArgument extends BerthException {
    public InvalidArgument(String message) {
      super(message);
    }

    public InvalidArgument(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** A part the engine needs is missing or not working on this host (HTTP 503). */
  public static final class Unavailable extends BerthException {
    public Unavailable(String message) {
      super(message);
    }

    public Unavailable(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /**
   * An operation failed for a reason its caller reports in its own way (a build step's error
   * goes into the build's message stream); the packages that need one extend it.
   */
  public abstract static non-sealed class Failed extends BerthException {
    protected Failed(String message) {
      super(message);
    }

    protected Failed(String message, Throwable cause) {
      super(message, cause);
    }
  }
}

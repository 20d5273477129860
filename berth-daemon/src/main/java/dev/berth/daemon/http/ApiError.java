package dev.berth.daemon.http;

/** An error the HTTP layer itself raises (bad version, unknown route, bad JSON): status + message. */
public final class ApiError extends RuntimeException {
  private final int status;

  public ApiError(int status, String message) {
    super(message);
    this.status = status;
  }

  public ApiError(int status, String message, Throwable cause) {
    super(message, cause);
    this.status = status;
  }

  public int status() {
    return status;
  }
}

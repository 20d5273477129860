package dev.berth.cli.client;

/** The daemon answered with an error status; its message is shown as docker shows it. */
public final class DaemonException extends RuntimeException {
  private final int status;

  public DaemonException(int status, String message) {
    super(message);
    this.status = status;
  }

  public int status() {
    return status;
  }
}

package dev.berth.cli.client;

import java.io.IOException;

/** Nothing answered at the daemon's address. */
public final class DaemonUnreachableException extends RuntimeException {
  private final DaemonAddress address;

  public DaemonUnreachableException(DaemonAddress address, IOException cause) {
    super("Cannot connect to the Berth daemon at " + address + ". Is berthd running?", cause);
    this.address = address;
  }

  public DaemonAddress address() {
    return address;
  }
}

package dev.berth.daemon.http;

import java.io.IOException;

/**
 * The client closed its connection while berthd was still writing to it: the docker CLI, for
 * one, closes a {@code wait} as soon as it has read the status code. Nothing went wrong in berthd.
 */
public final class ClientGoneException extends IOException {
  public ClientGoneException(Throwable cause) {
    super("client connection lost: " + cause.getMessage(), cause);
  }
}

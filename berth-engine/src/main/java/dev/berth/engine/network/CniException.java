package dev.berth.engine.network;

import dev.berth.engine.BerthException;

/** A plugin's error result ({@code code}, {@code msg}, {@code details}) or a plugin that could not run. */
public final class CniException extends RuntimeException {
  private final int code;

  public CniException(String plugin, int code, String msg, String details) {
    super("CNI plugin " + plugin + " failed" + (code > 0 ? " (code " + code + ")" : "") + ": " + msg
        + (details == null || details.isEmpty() ? "" : " (" + details + ")"));
    this.code = code;
  }

  public int code() {
    return code;
  }

  BerthException asBerth() {
    return new BerthException(getMessage(), this);
  }
}

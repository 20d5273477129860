package dev.berth.engine.pod;

/** One of CRI Status's conditions ("RuntimeReady", "NetworkReady"), with why it is false. */
public record RuntimeCondition(String type, boolean status, String reason, String message) {
  public static final String RUNTIME_READY = "RuntimeReady";
  public static final String NETWORK_READY = "NetworkReady";
}

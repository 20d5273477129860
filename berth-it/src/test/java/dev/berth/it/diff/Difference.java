package dev.berth.it.diff;

/** One way Berth's answer to a call differs from dockerd's. */
public record Difference(String call, String where, String berth, String dockerd) {
  @Override
  public String toString() {
    return call + " | " + where + ": berth " + berth + ", dockerd " + dockerd;
  }
}

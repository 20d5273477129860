package dev.berth.cli.command.vm;

import java.util.Locale;

/** Docker's detach-key syntax: comma-separated keys, each a single character or ctrl-X. */
record DetachKeys(byte[] sequence) {
  static final String DEFAULT = "ctrl-p,ctrl-q";

  static DetachKeys parse(String spec) {
    String[] keys = spec.split(",");
    byte[] bytes = new byte[keys.length];
    for (int i = 0; i < keys.length; i++) {
      String k = keys[i].strip().toLowerCase(Locale.ROOT);
      if (k.length() == 1) {
        bytes[i] = (byte) k.charAt(0);
      } else if (k.startsWith("ctrl-") && k.length() == 6 && ((k.charAt(5) >= 'a' && k.charAt(5) <= 'z')
          || "@[\\]^_".indexOf(k.charAt(5)) >= 0)) {
        bytes[i] = (byte) (Character.toUpperCase(k.charAt(5)) & 0x1f);
      } else {
        throw new IllegalArgumentException("invalid detach key \"" + keys[i]
            + "\": use a letter or ctrl-<letter>, comma-separated, e.g. ctrl-p,ctrl-q");
      }
    }
    if (bytes.length == 0) {
      throw new IllegalArgumentException("empty --detach-keys");
    }
    return new DetachKeys(bytes);
  }

  /**
   * Watches the bytes typed, holding back a partial match of the sequence so a detach never
   * reaches the guest, and releasing held bytes when the match breaks.
   */
  static final class Matcher {
    private final byte[] sequence;
    private int matched;

    Matcher(DetachKeys keys) {
      this.sequence = keys.sequence();
    }

    /** Feeds one byte; returns the bytes to forward now, or null when the sequence completed. */
    byte[] feed(byte b) {
      if (b == sequence[matched]) {
        matched++;
        if (matched == sequence.length) {
          return null;
        }
        return new byte[0];
      }
      byte[] held = new byte[matched + 1];
      System.arraycopy(sequence, 0, held, 0, matched);
      held[matched] = b;
      matched = 0;
      return held;
    }
  }
}

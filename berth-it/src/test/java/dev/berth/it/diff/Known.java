package dev.berth.it.diff;

import java.util.regex.Pattern;

/**
 * A known, deliberate difference between Berth and dockerd 20.10, with its reason (each one is
 * also in docs/compatibility.md). {@code where} is a regular expression matched against
 * the difference's text, "CALL-NAME | WHAT: berth X, dockerd Y" (WHAT is a JSON path, "status",
 * a header, "message"...).
 */
public record Known(Pattern where, String reason) {
  public static Known of(String where, String reason) {
    return new Known(Pattern.compile(where), reason);
  }

  boolean covers(Difference d) {
    return where.matcher(d.toString()).find();
  }
}

package dev.berth.engine.image.registry;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A {@code WWW-Authenticate} challenge (RFC 7235): {@code Bearer realm="…",service="…"} or
 * {@code Basic realm="…"}.
 *
 * @param scheme lower case: {@code bearer} or {@code basic}
 */
record AuthChallenge(String scheme, Map<String, String> params) {
  private static final Pattern PARAM =
      Pattern.compile("\\s*([A-Za-z0-9_-]+)\\s*=\\s*(?:\"((?:[^\"\\\\]|\\\\.)*)\"|([^,\\s]*))\\s*,?");

  String realm() {
    return params.get("realm");
  }

  String service() {
    return params.get("service");
  }

  /** The first Bearer or Basic challenge among the header values, or null if none. */
  static AuthChallenge parseFirst(List<String> headerValues) {
    for (String value : headerValues) {
      AuthChallenge challenge = parse(value);
      if (challenge != null) {
        return challenge;
      }
    }
    return null;
  }

  static AuthChallenge parse(String header) {
    String trimmed = header.strip();
    int space = trimmed.indexOf(' ');
    String scheme = (space < 0 ? trimmed : trimmed.substring(0, space)).toLowerCase(Locale.ROOT);
    if (!scheme.equals("bearer") && !scheme.equals("basic")) {
      return null;
    }
    Map<String, String> params = new LinkedHashMap<>();
    if (space >= 0) {
      Matcher m = PARAM.matcher(trimmed.substring(space + 1));
      while (m.lookingAt()) {
        String value = m.group(2) != null ? m.group(2).replaceAll("\\\\(.)", "$1") : m.group(3);
        params.put(m.group(1).toLowerCase(Locale.ROOT), value);
        m.region(m.end(), m.regionEnd());
      }
    }
    return new AuthChallenge(scheme, Map.copyOf(params));
  }
}

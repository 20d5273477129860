package dev.berth.cli.output;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** docker's repeatable {@code --filter name=value} flags, grouped by name for the API's filters JSON. */
public final class FilterFlags {
  private FilterFlags() {}

  public static Map<String, List<String>> parse(List<String> flags) {
    Map<String, List<String>> filters = new LinkedHashMap<>();
    for (String filter : flags) {
      int eq = filter.indexOf('=');
      if (eq < 1) {
        throw new IllegalArgumentException("bad format of filter (expected name=value): " + filter);
      }
      filters.computeIfAbsent(filter.substring(0, eq), k -> new ArrayList<>()).add(filter.substring(eq + 1));
    }
    return filters;
  }
}

package dev.berth.daemon.api.docker;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.daemon.http.Json;
import dev.berth.engine.BerthException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Docker's {@code filters} query parameter: JSON mapping a filter name to its values, either
 * {@code {"label":["a=b"]}} or the older {@code {"label":{"a=b":true}}}.
 */
public record Filters(Map<String, List<String>> values) {
  public static Filters parse(String json, Set<String> allowed) {
    if (json == null || json.isBlank()) {
      return new Filters(Map.of());
    }
    JsonNode root;
    try {
      root = Json.MAPPER.readTree(json);
    } catch (IOException e) {
      throw new BerthException.InvalidArgument("invalid filters: " + json + " is not a JSON object");
    }
    if (root == null || !root.isObject()) {
      throw new BerthException.InvalidArgument("invalid filters: " + json + " is not a JSON object");
    }
    Map<String, List<String>> values = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (!allowed.contains(e.getKey())) {
        throw new BerthException.InvalidArgument("invalid filter '" + e.getKey() + "'");
      }
      List<String> list = new ArrayList<>();
      if (e.getValue().isArray()) {
        e.getValue().forEach(v -> list.add(v.asText()));
      } else if (e.getValue().isObject()) {
        e.getValue().fieldNames().forEachRemaining(list::add);
      } else {
        list.add(e.getValue().asText());
      }
      values.put(e.getKey(), list);
    }
    return new Filters(values);
  }

  public List<String> get(String name) {
    return values.getOrDefault(name, List.of());
  }

  public boolean has(String name) {
    return values.containsKey(name) && !values.get(name).isEmpty();
  }

  /** Docker's label filter: "key" requires the label, "key=value" requires that value. */
  public boolean labelsMatch(Map<String, String> labels) {
    for (String want : get("label")) {
      int eq = want.indexOf('=');
      if (eq < 0) {
        if (labels == null || !labels.containsKey(want)) {
          return false;
        }
      } else if (labels == null || !want.substring(eq + 1).equals(labels.get(want.substring(0, eq)))) {
        return false;
      }
    }
    return true;
  }
}

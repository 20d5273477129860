package dev.berth.it.diff;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeType;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Compares Berth's and dockerd's answers to one call: status, chosen headers, and the body as the
 * call says (JSON shapes: key sets and value types, recursively; error messages; exact text),
 * after normalising what must differ between two daemons (IDs, names of temp paths).
 */
final class Comparison {
  private final Call call;
  private final Map<String, String> berthVars;
  private final Map<String, String> dockerVars;
  final List<Difference> differences = new ArrayList<>();

  Comparison(Call call, Map<String, String> berthVars, Map<String, String> dockerVars) {
    this.call = call;
    this.berthVars = berthVars;
    this.dockerVars = dockerVars;
  }

  List<Difference> compare(Answer berth, Answer docker) {
    if (berth.status() != docker.status()) {
      add("status", String.valueOf(berth.status()), String.valueOf(docker.status()));
    }
    berth.headers().forEach((h, v) -> {
      if (!v.equals(docker.headers().get(h))) {
        add("header " + h, v, docker.headers().get(h));
      }
    });
    switch (call.compare) {
      case JSON -> compareJson(berth, docker);
      case JSON_LINES -> compareLines(berth, docker);
      case EXACT -> {
        String b = normalise(berth.text(), berthVars);
        String d = normalise(docker.text(), dockerVars);
        if (!b.equals(d)) {
          add("body", quote(b), quote(d));
        }
      }
      case IGNORE -> { }
    }
    return differences;
  }

  private void compareJson(Answer berth, Answer docker) {
    JsonNode b = berth.json();
    JsonNode d = docker.json();
    if (b == null || d == null) {
      if ((b == null) != (d == null) || !berth.text().isBlank() || !docker.text().isBlank()) {
        String bt = normalise(berth.text(), berthVars).strip();
        String dt = normalise(docker.text(), dockerVars).strip();
        if (!bt.equals(dt)) {
          add("body", b == null ? "non-JSON " + quote(bt) : "JSON", d == null ? "non-JSON " + quote(dt) : "JSON");
        }
      }
      return;
    }
    if (berth.status() >= 400 && docker.status() >= 400) {
      compareMessages("message", b.path("message").asText(null), d.path("message").asText(null));
      return;
    }
    shape("$", b, d);
    for (String pointer : call.sameValues) {
      String bv = normalise(String.valueOf(b.at(pointer)), berthVars);
      String dv = normalise(String.valueOf(d.at(pointer)), dockerVars);
      if (!bv.equals(dv) && !sameJson(bv, dv)) {
        add("value " + pointer, bv, dv);
      }
    }
  }

  /** Equal as JSON (an object's key order does not count). */
  private static boolean sameJson(String a, String b) {
    try {
      return Answer.JSON.readTree(a).equals(Answer.JSON.readTree(b));
    } catch (IOException e) {
      return false;
    }
  }

  private void compareLines(Answer berth, Answer docker) {
    List<JsonNode> b = lines(berth);
    List<JsonNode> d = lines(docker);
    if (b == null || d == null) {
      add("body", b == null ? "not JSON lines" : "JSON lines", d == null ? "not JSON lines" : "JSON lines");
      return;
    }
    JsonNode bErr = b.stream().filter(n -> n.has("error")).findFirst().orElse(null);
    JsonNode dErr = d.stream().filter(n -> n.has("error")).findFirst().orElse(null);
    if ((bErr == null) != (dErr == null)) {
      add("error message", bErr == null ? "none" : bErr.toString(), dErr == null ? "none" : dErr.toString());
    } else if (bErr != null) {
      shape("$[error]", bErr, dErr);
      compareMessages("error message", bErr.path("error").asText(), dErr.path("error").asText());
    }
    if (!b.isEmpty() && !d.isEmpty()) {
      shape("$[last]", b.getLast(), d.getLast());
    }
  }

  private static List<JsonNode> lines(Answer a) {
    List<JsonNode> out = new ArrayList<>();
    for (String line : a.text().split("\n")) {
      if (line.isBlank()) {
        continue;
      }
      try {
        out.add(Answer.JSON.readTree(line));
      } catch (IOException e) {
        return null;
      }
    }
    return out;
  }

  private void compareMessages(String where, String b, String d) {
    String bn = b == null ? null : capitalFirst(normalise(b, berthVars));
    String dn = d == null ? null : capitalFirst(normalise(d, dockerVars));
    if (bn == null ? dn != null : !bn.equals(dn)) {
      add(where, quote(bn), quote(dn));
    }
  }

  /** Go's errors lost their capital letters between dockerd 20.10 and API 1.51 ("Invalid filter" → "invalid filter"). */
  private static String capitalFirst(String s) {
    return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
  }

  /** Same kinds of values, recursively; an object's keys, an array's (merged) elements. */
  private void shape(String path, JsonNode b, JsonNode d) {
    if (kind(b) != kind(d)) {
      add(path, kindName(b), kindName(d));
      return;
    }
    if (b.isObject()) {
      TreeSet<String> keys = new TreeSet<>();
      b.fieldNames().forEachRemaining(keys::add);
      d.fieldNames().forEachRemaining(keys::add);
      for (String k : keys) {
        String p = path + "." + k;
        if (!b.has(k)) {
          add(p, "lacks it", "has it (" + kindName(d.get(k)) + ")");
        } else if (!d.has(k)) {
          add(p, "has it (" + kindName(b.get(k)) + ")", "lacks it");
        } else {
          shape(p, b.get(k), d.get(k));
        }
      }
    } else if (b.isArray() && !b.isEmpty() && !d.isEmpty()) {
      shape(path + "[]", merged(b), merged(d));
    }
  }

  /** An array's elements as one: objects' keys united (the first value of each key kept). */
  private static JsonNode merged(JsonNode array) {
    JsonNode first = array.get(0);
    if (!first.isObject()) {
      return first;
    }
    ObjectNode out = Answer.JSON.createObjectNode();
    for (JsonNode e : array) {
      if (!e.isObject()) {
        continue;
      }
      for (Iterator<Map.Entry<String, JsonNode>> it = e.fields(); it.hasNext(); ) {
        var f = it.next();
        if (!out.has(f.getKey()) || out.get(f.getKey()).isNull()) {
          out.set(f.getKey(), f.getValue());
        }
      }
    }
    return out;
  }

  private static JsonNodeType kind(JsonNode n) {
    return n.getNodeType() == JsonNodeType.POJO ? JsonNodeType.OBJECT : n.getNodeType();
  }

  private static String kindName(JsonNode n) {
    return n.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
  }

  /** The daemon's own values (IDs saved as variables, and their short forms) become their names. */
  static String normalise(String text, Map<String, String> vars) {
    String out = text;
    List<Map.Entry<String, String>> byLength = new ArrayList<>(vars.entrySet());
    byLength.sort(Comparator.comparingInt((Map.Entry<String, String> e) -> e.getValue().length()).reversed());
    for (var e : byLength) {
      if (e.getValue().length() >= 8) {
        out = out.replace(e.getValue(), "${" + e.getKey() + "}");
      }
    }
    for (var e : byLength) {
      if (e.getValue().matches("(sha256:)?[0-9a-f]{64}")) {
        String hex = e.getValue().substring(e.getValue().length() - 64);
        out = out.replace(hex, "${" + e.getKey() + "}").replace(hex.substring(0, 12), "${" + e.getKey() + "}");
      }
    }
    return out;
  }

  private static String quote(String s) {
    if (s == null) {
      return "null";
    }
    String one = s.replace("\n", "\\n").replace("\r", "\\r");
    return "\"" + (one.length() > 300 ? one.substring(0, 300) + "…" : one) + "\"";
  }

  private void add(String where, String berth, String dockerd) {
    differences.add(new Difference(call.name, where, berth, dockerd));
  }
}

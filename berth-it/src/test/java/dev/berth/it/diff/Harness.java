package dev.berth.it.diff;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Runs a script of calls against Berth and dockerd, one call to each in turn, and compares the
 * answers. Each daemon keeps its own variables (the IDs its answers gave).
 */
final class Harness {
  /** The outcome of one call: differences that are known (with their reasons) and those that are not. */
  record Outcome(Call call, Answer berth, Answer dockerd, List<Difference> unexplained, Map<Difference, Known> known) {}

  private final Path berth;
  private final Path dockerd;
  private final Map<String, String> berthVars;
  private final Map<String, String> dockerVars;
  private final List<Known> knowns;
  private final Set<Known> used = new LinkedHashSet<>();

  Harness(Path berth, Path dockerd, Map<String, String> common, List<Known> knowns) {
    this.berth = berth;
    this.dockerd = dockerd;
    this.berthVars = new LinkedHashMap<>(common);
    this.dockerVars = new LinkedHashMap<>(common);
    this.knowns = knowns;
  }

  List<Outcome> run(List<Call> calls) {
    List<Outcome> out = new ArrayList<>();
    for (Call call : calls) {
      Answer b = Answer.send(berth, call, path(call, berthVars), call.expand(call.body, berthVars));
      Answer d = Answer.send(dockerd, call, path(call, dockerVars), call.expand(call.body, dockerVars));
      List<Difference> unexplained = new ArrayList<>();
      unexplained.addAll(save(call, b, berthVars, "berth"));
      unexplained.addAll(save(call, d, dockerVars, "dockerd"));
      Map<Difference, Known> known = new LinkedHashMap<>();
      for (Difference diff : new Comparison(call, berthVars, dockerVars).compare(b, d)) {
        Known k = knowns.stream().filter(x -> x.covers(diff)).findFirst().orElse(null);
        if (k == null) {
          unexplained.add(diff);
        } else {
          known.put(diff, k);
          used.add(k);
        }
      }
      out.add(new Outcome(call, b, d, unexplained, known));
    }
    return out;
  }

  /** Known differences that no call showed (fixed since, or the script no longer reaches them). */
  List<Known> unused() {
    return knowns.stream().filter(k -> !used.contains(k)).toList();
  }

  private static String path(Call call, Map<String, String> vars) {
    return call.expand(call.path, vars);
  }

  /** Saves the call's variables; one the answer lacks is a difference, and later calls get a placeholder. */
  private static List<Difference> save(Call call, Answer a, Map<String, String> vars, String who) {
    List<Difference> problems = new ArrayList<>();
    JsonNode json = a.json();
    for (String[] s : call.saves) {
      JsonNode v = json == null ? null : json.at(s[1]);
      if (v == null || v.isMissingNode() || v.isNull()) {
        problems.add(new Difference(call.name, "save " + s[0], who + " gave no " + s[1], a.status() + " " + a.text()));
        vars.put(s[0], "missing-" + s[0]);
      } else {
        vars.put(s[0], v.asText());
      }
    }
    return problems;
  }
}

package dev.berth.engine.build;

import dev.berth.engine.BerthException;
import dev.berth.engine.build.dockerfile.Dockerfile;
import dev.berth.engine.build.dockerfile.Instruction;
import dev.berth.engine.build.dockerfile.Stage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Which stages a build runs and in what relation: the target stage (the last one unless
 * {@code --target}) and, transitively, the stages it names in {@code FROM} and
 * {@code COPY --from}. Stages nobody needs are skipped (as BuildKit does); the rest may run in
 * parallel, each waiting only for the stages it depends on. Pure: no I/O.
 *
 * @param stages the stages that run, in Dockerfile order
 * @param dependsOn for each running stage's index, the indexes of the stages it reads
 * @param target the index of the stage whose image is the result
 * @param stepNumbers the "Step N" number of each instruction that is printed, by identity
 * @param totalSteps the "M" of "Step N/M"
 */
public record BuildPlan(List<Stage> stages, Map<Integer, Set<Integer>> dependsOn, int target,
    java.util.IdentityHashMap<Instruction, Integer> stepNumbers, int totalSteps) {

  /** Plans {@code dockerfile} for {@code target} (a stage name; empty = the last stage). */
  public static BuildPlan of(Dockerfile dockerfile, Optional<String> target, int extraFinalSteps) {
    List<Stage> all = dockerfile.stages();
    if (all.isEmpty()) {
      throw new BerthException.InvalidArgument("the Dockerfile has no FROM instruction");
    }
    int targetIndex = all.size() - 1;
    if (target.isPresent()) {
      targetIndex = all.stream().filter(s -> s.name().isPresent() && s.name().get().equalsIgnoreCase(target.get()))
          .mapToInt(Stage::index).findFirst()
          .orElseThrow(() -> new BerthException.InvalidArgument("failed to reach build target " + target.get()
              + " in Dockerfile"));
    }
    Map<Integer, Set<Integer>> deps = new TreeMap<>();
    Set<Integer> needed = new TreeSet<>();
    List<Integer> todo = new ArrayList<>(List.of(targetIndex));
    while (!todo.isEmpty()) {
      int i = todo.removeLast();
      if (!needed.add(i)) {
        continue;
      }
      Set<Integer> d = dependencies(all, all.get(i));
      deps.put(i, d);
      todo.addAll(d);
    }
    List<Stage> running = all.stream().filter(s -> needed.contains(s.index())).toList();
    java.util.IdentityHashMap<Instruction, Integer> numbers = new java.util.IdentityHashMap<>();
    int n = 0;
    for (Instruction a : dockerfile.globalArgs()) {
      numbers.put(a, ++n);
    }
    for (Stage s : running) {
      numbers.put(s.from(), ++n);
      for (Instruction i : s.instructions()) {
        numbers.put(i, ++n);
      }
    }
    return new BuildPlan(running, deps, targetIndex, numbers, n + extraFinalSteps);
  }

  /** The earlier stages {@code stage} reads: its FROM's base and its COPY --from sources, by name or index. */
  static Set<Integer> dependencies(List<Stage> all, Stage stage) {
    Set<Integer> d = new TreeSet<>();
    stageReference(all, stage.from().image(), stage.index(), false).ifPresent(d::add);
    for (Instruction i : stage.instructions()) {
      if (i instanceof Instruction.Copy c && c.from().isPresent()) {
        stageReference(all, c.from().get(), stage.index(), true).ifPresent(d::add);
      }
    }
    return d;
  }

  /**
   * The stage an image word names, if any: a stage name (case-insensitive) defined before
   * {@code before}, or — for COPY --from — a stage index below it.
   */
  static Optional<Integer> stageReference(List<Stage> all, String word, int before, boolean indexAllowed) {
    for (Stage s : all) {
      if (s.index() < before && s.name().isPresent() && s.name().get().equalsIgnoreCase(word)) {
        return Optional.of(s.index());
      }
    }
    if (indexAllowed && word.matches("\\d+")) {
      int i = Integer.parseInt(word);
      if (i >= before) {
        throw new BerthException.InvalidArgument("invalid from flag value " + word
            + ": refers to current build stage or a later one");
      }
      return Optional.of(i);
    }
    return Optional.empty();
  }

  /** The stage with index {@code i}. */
  public Stage stage(int i) {
    return stages.stream().filter(s -> s.index() == i).findFirst().orElseThrow();
  }
}

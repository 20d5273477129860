package dev.berth.engine.build;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Keeps a build's output in Dockerfile order while stages run in parallel: the earliest
 * unfinished stage streams live; a later stage's lines are held until every stage before it
 * is done, then released at once. The client reads the same sequence of lines as from the
 * classic builder, which runs stages one after another.
 */
final class OrderedOutput {
  private final Consumer<BuildEvent> sink;
  private final List<Integer> order;
  private final List<List<BuildEvent>> held = new ArrayList<>();
  private final boolean[] finished;
  private int current;

  /** {@code slots}: the number of stages (or other producers), in the order they print. */
  OrderedOutput(Consumer<BuildEvent> sink, int slots) {
    this.sink = sink;
    this.order = java.util.stream.IntStream.range(0, slots).boxed().toList();
    this.finished = new boolean[slots];
    for (int i = 0; i < slots; i++) {
      held.add(new ArrayList<>());
    }
  }

  /** The sink for slot {@code slot}. */
  Consumer<BuildEvent> slot(int slot) {
    return e -> emit(slot, e);
  }

  synchronized void emit(int slot, BuildEvent e) {
    if (slot == current) {
      sink.accept(e);
    } else {
      held.get(slot).add(e);
    }
  }

  /** Marks {@code slot} done; the next slots' held output is released. */
  synchronized void finish(int slot) {
    finished[slot] = true;
    while (current < order.size() && finished[current]) {
      current++;
      if (current < order.size()) {
        held.get(current).forEach(sink);
        held.get(current).clear();
      }
    }
  }

  /** Releases everything still held, in order (after a failure, so the client sees what ran). */
  synchronized void flushAll() {
    for (int i = current; i < order.size(); i++) {
      held.get(i).forEach(sink);
      held.get(i).clear();
    }
    current = order.size();
  }
}

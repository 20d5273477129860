package dev.berth.engine.build.dockerfile;

import java.util.List;
import java.util.Optional;

/**
 * One build stage: its FROM and the instructions after it up to the next FROM.
 *
 * @param index 0 for the first FROM; {@code COPY --from=0} names a stage by this number
 */
public record Stage(int index, Instruction.From from, List<Instruction> instructions) {
  public Stage {
    instructions = List.copyOf(instructions);
  }

  /** The stage's {@code AS name}, lower-cased as Docker keeps it. */
  public Optional<String> name() {
    return from.stageName();
  }
}

package dev.berth.engine.runtime.spec;

import java.util.List;

/**
 * The process to run: the container's init, or an exec session (runc exec --process takes this
 * record alone).
 */
public record ProcessSpec(
    Boolean terminal,
    ConsoleSize consoleSize,
    User user,
    List<String> args,
    List<String> env,
    String cwd,
    Capabilities capabilities,
    List<Rlimit> rlimits,
    Boolean noNewPrivileges,
    String apparmorProfile,
    Integer oomScoreAdj) {

  public ProcessSpec {
    if (oomScoreAdj != null && oomScoreAdj < 0) {
      // Lowering oom_score_adj needs CAP_SYS_RESOURCE, which hosts like ours lack; runc then
      // dies with an opaque "can't get final child's PID from pipe: EOF".
      throw new IllegalArgumentException(
          "oomScoreAdj " + oomScoreAdj + " is negative; Berth never lowers a container's OOM score");
    }
  }

  /** Terminal size when {@code terminal} is true. */
  public record ConsoleSize(int height, int width) {}
}

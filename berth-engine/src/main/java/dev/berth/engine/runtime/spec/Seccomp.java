package dev.berth.engine.runtime.spec;

import java.util.List;

/** A seccomp filter in OCI form. */
public record Seccomp(
    String defaultAction,
    Integer defaultErrnoRet,
    List<String> architectures,
    List<String> flags,
    List<Syscall> syscalls) {

  /** One rule: an action for the named syscalls, optionally restricted by argument checks. */
  public record Syscall(List<String> names, String action, Integer errnoRet, List<Arg> args) {}

  /** A check on argument {@code index}: op is SCMP_CMP_EQ, SCMP_CMP_MASKED_EQ, ... */
  public record Arg(int index, long value, Long valueTwo, String op) {}
}

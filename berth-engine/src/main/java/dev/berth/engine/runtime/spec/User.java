package dev.berth.engine.runtime.spec;

import java.util.List;

/** The user the process runs as, numeric as the spec wants (names are resolved before). */
public record User(int uid, int gid, List<Integer> additionalGids, Integer umask) {
  public static final User ROOT = new User(0, 0, null, null);
}

package dev.berth.engine.userns;

/** A range of subordinate ids, as a line of /etc/subuid or /etc/subgid gives it: {@code count} ids from {@code start}. */
public record IdRange(long start, long count) {
  public IdRange {
    if (start < 0 || count <= 0) {
      throw new IllegalArgumentException("a subordinate id range needs start >= 0 and count > 0, not " + start + ":" + count);
    }
  }

  /** One past the last id. */
  public long end() {
    return start + count;
  }

  boolean overlaps(IdRange other) {
    return start < other.end() && other.start < end();
  }
}

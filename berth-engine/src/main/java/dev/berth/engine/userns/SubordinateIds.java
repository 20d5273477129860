package dev.berth.engine.userns;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.OptionalLong;

/**
 * The contents of /etc/subuid or /etc/subgid: lines {@code NAME_OR_ID:START:COUNT} (subuid(5)).
 * No library reads this three-field format in Java; shadow-utils' own reader skips lines it
 * cannot parse, and so does this one.
 */
public final class SubordinateIds {
  /** Where shadow-utils' useradd starts handing out ranges (SUB_UID_MIN in login.defs). */
  public static final long FIRST_ID = 100_000;
  /** What a remapping needs at least: every id a distribution's image may use (0–65535). */
  public static final long MIN_COUNT = 65_536;

  private record Entry(String owner, IdRange range) {}

  private final List<Entry> entries;

  private SubordinateIds(List<Entry> entries) {
    this.entries = List.copyOf(entries);
  }

  public static SubordinateIds parse(String content) {
    List<Entry> entries = new ArrayList<>();
    for (String raw : content.split("\n")) {
      String line = raw.strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      String[] f = line.split(":");
      if (f.length != 3 || f[0].isEmpty()) {
        continue;
      }
      try {
        entries.add(new Entry(f[0], new IdRange(Long.parseLong(f[1]), Long.parseLong(f[2]))));
      } catch (IllegalArgumentException e) {
        // a malformed line: shadow-utils ignores it too
      }
    }
    return new SubordinateIds(entries);
  }

  /** The ranges of {@code name} (or of its numeric id, which the file may use instead), in file order. */
  public List<IdRange> rangesOf(String name, OptionalLong id) {
    String number = id.isPresent() ? Long.toString(id.getAsLong()) : null;
    return entries.stream()
        .filter(e -> e.owner().equals(name) || e.owner().equals(number))
        .map(Entry::range)
        .toList();
  }

  /**
   * The first {@code count} ids from {@link #FIRST_ID} that no line of the file holds, as
   * {@code useradd} chooses a new user's range (dockerd does the same for {@code dockremap}).
   */
  public IdRange nextFree(long count) {
    List<IdRange> taken = entries.stream().map(Entry::range)
        .sorted(Comparator.comparingLong(IdRange::start)).toList();
    long candidate = FIRST_ID;
    for (IdRange r : taken) {
      if (new IdRange(candidate, count).overlaps(r)) {
        candidate = Math.max(candidate, r.end());
      }
    }
    return new IdRange(candidate, count);
  }
}

package dev.berth.engine.userns;

import dev.berth.engine.BerthException;
import dev.berth.engine.runtime.spec.Linux.IdMapping;
import java.util.ArrayList;
import java.util.List;

/**
 * A daemon-wide user-namespace remapping ({@code --userns-remap}): container ids 0, 1, … map to
 * the subordinate ranges of {@code user} (uids) and {@code group} (gids), in file order, as
 * dockerd's idtools maps them. Container root is {@link #rootUid()}:{@link #rootGid()} on the host.
 */
public record Remapping(String user, String group, List<IdMapping> uids, List<IdMapping> gids) {
  public Remapping {
    uids = List.copyOf(uids);
    gids = List.copyOf(gids);
    if (uids.isEmpty() || gids.isEmpty()) {
      throw new IllegalArgumentException("a remapping needs uid and gid ranges");
    }
  }

  /** Mappings from ranges: the first range holds container ids 0…count-1, the next continues after it. */
  public static Remapping of(String user, String group, List<IdRange> uidRanges, List<IdRange> gidRanges) {
    return new Remapping(user, group, mappings(uidRanges), mappings(gidRanges));
  }

  static List<IdMapping> mappings(List<IdRange> ranges) {
    List<IdMapping> out = new ArrayList<>();
    long next = 0;
    for (IdRange r : ranges) {
      out.add(new IdMapping(next, r.start(), r.count()));
      next += r.count();
    }
    return out;
  }

  public int rootUid() {
    return toHost(uids, 0, "uid");
  }

  public int rootGid() {
    return toHost(gids, 0, "gid");
  }

  public int hostUid(long containerUid) {
    return toHost(uids, containerUid, "uid");
  }

  public int hostGid(long containerGid) {
    return toHost(gids, containerGid, "gid");
  }

  /** The container's view of a host uid; one outside the remapping is the kernel's overflow id, nobody (65534). */
  public int containerUid(int hostUid) {
    return toContainer(uids, hostUid);
  }

  public int containerGid(int hostGid) {
    return toContainer(gids, hostGid);
  }

  private static int toContainer(List<IdMapping> m, int host) {
    long h = Integer.toUnsignedLong(host);
    for (IdMapping r : m) {
      if (h >= r.hostID() && h < r.hostID() + r.size()) {
        return Math.toIntExact(r.containerID() + h - r.hostID());
      }
    }
    return 65534;
  }

  /** Container ids this remapping covers (the uid side, the smaller of the two decides what fits). */
  public long size() {
    return Math.min(total(uids), total(gids));
  }

  /** {@code <uid>.<gid>}: dockerd's name for the directory of a remapping's files. */
  public String dirName() {
    return rootUid() + "." + rootGid();
  }

  private static long total(List<IdMapping> m) {
    return m.stream().mapToLong(IdMapping::size).sum();
  }

  private static int toHost(List<IdMapping> m, long id, String kind) {
    for (IdMapping r : m) {
      if (id >= r.containerID() && id < r.containerID() + r.size()) {
        return Math.toIntExact(r.hostID() + id - r.containerID());
      }
    }
    throw new BerthException.InvalidArgument("container " + kind + " " + id + " cannot be mapped to a host " + kind
        + ": the remapping covers " + total(m) + " ids; give the remap user larger subordinate ranges");
  }
}

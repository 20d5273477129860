package dev.berth.engine.microvm;

import dev.berth.engine.BerthException;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The kernel modules a guest needs, in load order, from {@code modules.dep}. Debian builds
 * virtio, virtio-serial and 9p as modules; their dependencies differ between kernel versions
 * (fscache became part of netfs in 6.x), so the order comes from the kernel's own list.
 */
public final class GuestModules {
  /** What every guest loads at boot: the transport and the shared root file system. */
  public static final List<String> CORE = List.of("virtio_mmio", "9pnet_virtio", "9p");
  /**
   * The virtio-serial driver: at boot only for a container with a terminal or stdin; otherwise when
   * berthd first needs the exec agent (it fills ~4 MiB of receive buffers per port; decision 3400).
   */
  public static final List<String> CONSOLE = List.of("virtio_console");
  /** What a guest with a network loads besides (a container with --network none does not pay for them). */
  public static final List<String> NET = List.of("virtio_net");
  /** Every module the initramfs carries. */
  public static final List<String> WANTED =
      java.util.stream.Stream.of(CORE, CONSOLE, NET).flatMap(List::stream).toList();

  private GuestModules() {}

  /** {@code modules.dep}: module path → the paths it needs. */
  static Map<String, List<String>> parseDeps(String text) {
    Map<String, List<String>> deps = new LinkedHashMap<>();
    for (String line : text.split("\n")) {
      int colon = line.indexOf(':');
      if (colon <= 0) {
        continue;
      }
      String rest = line.substring(colon + 1).strip();
      deps.put(line.substring(0, colon).strip(), rest.isEmpty() ? List.of() : List.of(rest.split("\\s+")));
    }
    return deps;
  }

  /** A module's name as modprobe knows it: the file name without .ko(.xz|.gz|.zst), '-' as '_'. */
  static String name(String path) {
    String file = path.substring(path.lastIndexOf('/') + 1);
    int ko = file.indexOf(".ko");
    return (ko < 0 ? file : file.substring(0, ko)).replace('-', '_');
  }

  /**
   * The paths to load, dependencies first. A wanted module that is built into the kernel
   * ({@code builtin} names) needs no file; one that is neither is an error naming it.
   */
  static List<String> loadOrder(Map<String, List<String>> deps, List<String> wanted, Set<String> builtin) {
    Map<String, String> byName = new LinkedHashMap<>();
    deps.keySet().forEach(p -> byName.put(name(p), p));
    Set<String> order = new LinkedHashSet<>();
    for (String w : wanted) {
      String path = byName.get(w.replace('-', '_'));
      if (path == null) {
        if (builtin.contains(w.replace('-', '_'))) {
          continue;
        }
        throw new BerthException.Unavailable("the guest kernel has no module " + w + " (not in modules.dep nor"
            + " modules.builtin); use a kernel with virtio, virtio-serial, 9p and virtio-net (Debian: linux-image-amd64)");
      }
      visit(path, deps, order, new LinkedHashSet<>());
    }
    return new ArrayList<>(order);
  }

  private static void visit(String path, Map<String, List<String>> deps, Set<String> order, Set<String> onPath) {
    if (order.contains(path) || !onPath.add(path)) {
      return; // done, or a cycle (modules.dep has none; do not loop if it did)
    }
    for (String d : deps.getOrDefault(path, List.of())) {
      visit(d, deps, order, onPath);
    }
    order.add(path);
  }

  /** Names in {@code modules.builtin} (one path per line). */
  static Set<String> parseBuiltin(String text) {
    Set<String> names = new LinkedHashSet<>();
    for (String line : text.split("\n")) {
      if (!line.isBlank()) {
        names.add(name(line.strip()));
      }
    }
    return names;
  }

  /** A module file's bytes, decompressed when it is .ko.xz, .ko.gz or .ko.zst (busybox insmod wants plain ELF). */
  static byte[] plain(String path, byte[] data) throws IOException {
    if (path.endsWith(".ko")) {
      return data;
    }
    try (InputStream in = KernelImage.decompressor(data)) {
      return in.readAllBytes();
    } catch (BerthException.InvalidArgument e) {
      throw new BerthException.Unavailable("cannot read module " + path + ": " + e.getMessage());
    }
  }
}

package dev.berth.testkit.registry;

import dev.berth.testkit.Commands;
import dev.berth.testkit.ProcessResult;
import dev.berth.testkit.Repo;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * critest's images in a {@link LocalRegistry}: stand-ins made offline from the host's
 * busybox-static by {@code critest-images.py} (cri-tools v1.32's paths and tags, e.g. {@code
 * e2e-test-images/busybox:1.29-2}, {@code k8s-staging-cri-tools/test-image-tag:test}), so critest
 * can run with no traffic off the machine. Point the runtime at them with mirrors:
 *
 * <pre>{@code
 * LocalRegistry registry = LocalRegistry.start(dir.resolve("registry"));
 * Optional<String> missing = CriTestImages.unavailable();
 * Assumptions.assumeTrue(missing.isEmpty(), missing.orElse(""));
 * CriTestImages.fill(registry);
 * BerthdProcess.start(dir.resolve("berthd"), CriTestImages.mirrorFlags(registry));
 * }</pre>
 *
 * <p>Where the tools are: system property {@code berth.cri.tools} (or {@code BERTH_CRI_TOOLS}), else
 * environment variable {@code BERTH_CRI_TOOLS}, else {@code <repository root>/../shared/tools}
 * ({@code /work/shared/tools} beside a checkout at {@code /work/main}; a git worktree elsewhere
 * needs the property or the variable). The script needs
 * python3, skopeo, gcc with a static libc (libc6-dev) and /bin/busybox (busybox-static); all are
 * in bin/lib/packages.txt. {@link #unavailable()} names whichever is missing, for a test's skip
 * reason.
 *
 * <p>Filling takes about a minute (it compiles small static helpers and pushes ~26 tags), so it
 * is done once per registry: a marker file in the registry's dir records the names pushed, and
 * later calls (from any test or JVM, also after the registry is restarted on the same dir) return
 * them without pushing again. Calls are serialized per JVM.
 */
public final class CriTestImages {
  public static final String TOOLS_PROPERTY = "berth.cri.tools";
  public static final String TOOLS_ENV = "BERTH_CRI_TOOLS";
  public static final String SCRIPT = "critest-images.py";
  /** The registries critest pulls from; each is mirrored to the local registry. */
  public static final List<String> MIRRORED = List.of("registry.k8s.io", "gcr.io");

  private static final String MARKER = "critest-images.done";
  private static final Duration FILL_TIMEOUT = Duration.ofMinutes(10);

  private CriTestImages() {}

  /** The tools dir (critest, crictl, critest-images.py); it may not exist. */
  public static Path toolsDir() {
    String configured = System.getProperty(TOOLS_PROPERTY);
    if (configured == null || configured.isBlank()) {
      configured = System.getProperty(TOOLS_ENV); // -DBERTH_CRI_TOOLS=… is accepted too
    }
    if (configured == null || configured.isBlank()) {
      configured = System.getenv(TOOLS_ENV);
    }
    if (configured != null && !configured.isBlank()) {
      return Path.of(configured).toAbsolutePath().normalize();
    }
    Path besideRepository = Repo.root().resolve("../shared/tools").toAbsolutePath().normalize();
    // A clone elsewhere on a machine of this kind still has the shared tools at their usual place.
    return Files.isDirectory(besideRepository) || !Files.isDirectory(USUAL) ? besideRepository : USUAL;
  }

  /** Where the shared tools are on this project's machines. */
  private static final Path USUAL = Path.of("/work/shared/tools");

  /** Why the images cannot be made here (for a skip reason), or empty when they can. */
  public static Optional<String> unavailable() {
    Path script;
    try {
      script = toolsDir().resolve(SCRIPT);
    } catch (IllegalStateException noRepository) {
      return Optional.of(noRepository.getMessage() + "; or set -D" + TOOLS_PROPERTY + " or " + TOOLS_ENV);
    }
    if (!Files.isRegularFile(script)) {
      return Optional.of(script + " is missing: set -D" + TOOLS_PROPERTY + " or " + TOOLS_ENV
          + " to the dir holding critest's tools");
    }
    for (String tool : List.of("python3", "skopeo", "gcc")) {
      if (onPath(tool).isEmpty()) {
        return Optional.of(tool + " is not installed (bin/install-deps installs it from bin/lib/packages.txt)");
      }
    }
    if (!Files.isExecutable(Path.of("/bin/busybox"))) {
      return Optional.of("/bin/busybox is missing: install busybox-static");
    }
    if (!Files.isExecutable(Path.of(LocalRegistry.BINARY))) {
      return Optional.of(LocalRegistry.BINARY + " is missing: install docker-registry");
    }
    return Optional.empty();
  }

  /**
   * Pushes critest's images into {@code registry} unless that was done already, and returns their
   * names as pushed ({@code 127.0.0.1:PORT/e2e-test-images/busybox:1.29-2}, …).
   *
   * @throws IllegalStateException when the tools are missing (check {@link #unavailable()} first)
   *     or the script fails (its output is in the message)
   */
  public static synchronized List<String> fill(LocalRegistry registry) {
    Path marker = registry.dir().resolve(MARKER);
    try {
      if (Files.isRegularFile(marker)) {
        // Stored without the host: a registry restarted on this dir may have another port.
        return Files.readAllLines(marker, StandardCharsets.UTF_8).stream().filter(l -> !l.isBlank())
            .map(path -> registry.host() + "/" + path).toList();
      }
      Optional<String> missing = unavailable();
      if (missing.isPresent()) {
        throw new IllegalStateException("cannot make critest's images: " + missing.get());
      }
      ProcessResult r = Commands.run(
          List.of("python3", toolsDir().resolve(SCRIPT).toString(), registry.host()), FILL_TIMEOUT);
      if (r.exitCode() != 0) {
        throw new IllegalStateException(SCRIPT + " failed for " + registry.host() + ":\n" + r);
      }
      List<String> pushed = names(r.stdout(), registry);
      if (pushed.isEmpty()) {
        throw new IllegalStateException(SCRIPT + " pushed nothing to " + registry.host() + ":\n" + r);
      }
      Path temp = registry.dir().resolve(MARKER + ".tmp");
      Files.writeString(temp, String.join("\n",
          pushed.stream().map(n -> n.substring(registry.host().length() + 1)).toList()) + "\n", StandardCharsets.UTF_8);
      Files.move(temp, marker, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
      return pushed;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * berthd flags that send pulls of critest's registries to {@code registry}: {@code
   * --registry-mirror registry.k8s.io=http://127.0.0.1:PORT --registry-mirror gcr.io=…}.
   */
  public static List<String> mirrorFlags(LocalRegistry registry) {
    List<String> flags = new ArrayList<>();
    for (String name : MIRRORED) {
      flags.add("--registry-mirror");
      flags.add(name + "=http://" + registry.host());
    }
    return flags;
  }

  /** The lines of the script's output that name an image in {@code registry}. */
  private static List<String> names(String output, LocalRegistry registry) {
    return output.lines().map(String::strip).filter(l -> l.startsWith(registry.host() + "/")).toList();
  }

  private static Optional<Path> onPath(String tool) {
    String path = System.getenv().getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin");
    for (String dir : path.split(":")) {
      Path candidate = Path.of(dir.isEmpty() ? "." : dir, tool);
      if (Files.isExecutable(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }
}

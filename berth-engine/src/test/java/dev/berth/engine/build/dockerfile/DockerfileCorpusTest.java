package dev.berth.engine.build.dockerfile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.engine.BerthException;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The corpus under resources/dockerfiles against what dockerd 20.10's classic builder made of
 * the same files (recorded by record-oracle.sh): its error messages, its {@code Step N/M :} lines
 * and the resulting image config. The config check replays the instructions with
 * {@link Expander} the way the classic builder does (a small evaluator below), so it checks the
 * parser's raw words and the expander together against Docker.
 */
class DockerfileCorpusTest {
  private static final String DEFAULT_PATH = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
  private static final ObjectMapper JSON = new ObjectMapper();

  private static Path dir(String name) {
    try {
      return Path.of(Objects.requireNonNull(DockerfileCorpusTest.class.getResource("/dockerfiles/" + name)).toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Stream<Path> dockerfiles(String name) throws IOException {
    try (Stream<Path> files = Files.list(dir(name))) {
      return files.filter(p -> p.toString().endsWith(".Dockerfile")).sorted().toList().stream();
    }
  }

  private static Path sibling(Path dockerfile, String extension) {
    String name = dockerfile.getFileName().toString().replace(".Dockerfile", extension);
    return dockerfile.resolveSibling(name);
  }

  @TestFactory
  Stream<DynamicTest> errorsAreDockerdsWords() throws IOException {
    return dockerfiles("errors").map(file -> DynamicTest.dynamicTest(file.getFileName().toString(), () -> {
      String text = Files.readString(file);
      String expected = Files.readString(sibling(file, ".error")).strip();
      assertThat(expected).isNotEmpty();
      assertThatThrownBy(() -> Dockerfile.parse(text))
          .isInstanceOf(BerthException.InvalidArgument.class)
          .hasMessage(expected);
    }));
  }

  @TestFactory
  Stream<DynamicTest> stepLinesAreDockerds() throws IOException {
    return dockerfiles("valid").map(file -> DynamicTest.dynamicTest(file.getFileName().toString(), () -> {
      Dockerfile df = Dockerfile.parse(Files.readString(file));
      List<String> expected = Files.readAllLines(sibling(file, ".steps"));
      List<Instruction> all = df.instructions();
      List<String> steps = new ArrayList<>();
      for (int i = 0; i < all.size(); i++) {
        steps.add("Step " + (i + 1) + "/" + all.size() + " : " + all.get(i).original());
      }
      assertThat(steps).containsExactlyElementsOf(expected);
    }));
  }

  @TestFactory
  Stream<DynamicTest> replayedConfigIsDockerds() throws IOException {
    return dockerfiles("valid").map(file -> DynamicTest.dynamicTest(file.getFileName().toString(), () -> {
      Dockerfile df = Dockerfile.parse(Files.readString(file));
      JsonNode expected = JSON.readTree(sibling(file, ".config.json").toFile());
      // through JSON, so both sides have the same number types
      Map<?, ?> actual = JSON.readValue(JSON.writeValueAsString(new Replay(df).lastStage()), Map.class);
      Map<Object, Object> wanted = new LinkedHashMap<>();
      for (Object key : actual.keySet()) {
        JsonNode node = expected.get((String) key);
        wanted.put(key, node == null || node.isNull() ? null : JSON.convertValue(node, Object.class));
      }
      assertThat(actual).isEqualTo(wanted);
    }));
  }

  /**
   * The config side of the classic builder, enough for the corpus (no files, no RUN). Docker's
   * JSON omits empty strings and lists, so those are null here.
   */
  private static final class Replay {
    private final Dockerfile df;
    private final Expander expander;
    private final Map<String, String> metaArgs = new LinkedHashMap<>();

    Replay(Dockerfile df) {
      this.df = df;
      this.expander = new Expander(df.escape());
      for (Instruction i : df.globalArgs()) {
        for (ArgDecl a : ((Instruction.Arg) i).args()) {
          a.defaultValue().ifPresent(v -> metaArgs.put(a.name(), expander.expand(v, metaArgs)));
        }
      }
    }

    Map<String, Object> lastStage() {
      Stage stage = df.stages().getLast();
      List<String> env = new ArrayList<>(List.of(DEFAULT_PATH));
      Map<String, String> args = new LinkedHashMap<>();
      Map<String, Object> labels = new LinkedHashMap<>();
      Map<String, Object> ports = new LinkedHashMap<>();
      Map<String, Object> volumes = new LinkedHashMap<>();
      List<String> shell = List.of("/bin/sh", "-c");
      List<String> cmd = null;
      List<String> entrypoint = null;
      boolean cmdSet = false;
      String workdir = "";
      String user = null;
      String stopSignal = null;
      Map<String, Object> health = null;
      List<String> onBuild = new ArrayList<>();
      boolean shellSet = false;
      for (Instruction in : stage.instructions()) {
        Map<String, String> vars = vars(env, args);
        switch (in) {
          case Instruction.Arg a -> {
            for (ArgDecl d : a.args()) {
              String value = d.defaultValue().map(v -> expander.expand(v, vars)).orElse(metaArgs.get(d.name()));
              args.put(d.name(), value);
            }
          }
          case Instruction.Env e -> e.pairs().forEach(p -> setEnv(env, expander.expand(p.key(), vars),
              expander.expand(p.value(), vars)));
          case Instruction.Label l ->
              l.pairs().forEach(p -> labels.put(expander.expand(p.key(), vars), expander.expand(p.value(), vars)));
          case Instruction.Workdir w -> {
            String path = expander.expand(w.path(), vars);
            workdir = java.nio.file.Path.of(path.startsWith("/") ? path : workdir + "/" + path).normalize().toString();
          }
          case Instruction.User u -> user = expander.expand(u.user(), vars);
          case Instruction.StopSignal s -> stopSignal = expander.expand(s.signal(), vars);
          case Instruction.Volume v -> v.paths().forEach(p -> volumes.put(expander.expand(p, vars), Map.of()));
          case Instruction.Expose x -> x.ports().forEach(p -> expander.expandWords(p, vars).forEach(port -> {
            String[] protoSplit = port.split("/", 2);
            String proto = protoSplit.length == 2 ? protoSplit[1] : "tcp";
            String[] range = protoSplit[0].split("-");
            int from = Integer.parseInt(range[0]);
            int to = range.length == 2 ? Integer.parseInt(range[1]) : from;
            for (int n = from; n <= to; n++) {
              ports.put(n + "/" + proto, Map.of());
            }
          }));
          case Instruction.Shell s -> {
            shell = s.shell();
            shellSet = true;
          }
          case Instruction.Cmd c -> {
            cmd = commandLine(c.command(), shell);
            cmdSet = true;
          }
          case Instruction.Entrypoint e -> {
            entrypoint = commandLine(e.command(), shell);
            if (!cmdSet) {
              cmd = null;
            }
          }
          case Instruction.Healthcheck h -> {
            health = new LinkedHashMap<>();
            health.put("Test", h.test());
            putNonZero(health, "Interval", h.interval().toNanos());
            putNonZero(health, "Timeout", h.timeout().toNanos());
            putNonZero(health, "StartPeriod", h.startPeriod().toNanos());
            putNonZero(health, "Retries", h.retries());
          }
          case Instruction.OnBuild o -> onBuild.add(o.expression());
          default -> {}
        }
      }
      Map<String, Object> config = new LinkedHashMap<>();
      config.put("Env", env);
      config.put("Labels", labels.isEmpty() ? null : labels);
      config.put("ExposedPorts", ports.isEmpty() ? null : ports);
      config.put("Volumes", volumes.isEmpty() ? null : volumes);
      config.put("WorkingDir", workdir.isEmpty() ? null : workdir); // Docker omits empty strings
      config.put("User", user == null || user.isEmpty() ? null : user);
      config.put("StopSignal", stopSignal);
      config.put("Cmd", cmd == null || cmd.isEmpty() ? null : cmd);
      config.put("Entrypoint", entrypoint == null || entrypoint.isEmpty() ? null : entrypoint);
      config.put("Shell", shellSet ? shell : null);
      config.put("Healthcheck", health);
      config.put("OnBuild", onBuild.isEmpty() ? null : onBuild);
      return config;
    }

    private static void putNonZero(Map<String, Object> map, String key, long value) {
      if (value != 0) {
        map.put(key, value);
      }
    }

    private static List<String> commandLine(Command command, List<String> shell) {
      return switch (command) {
        case Command.Exec exec -> exec.args();
        case Command.Shell sh -> {
          List<String> line = new ArrayList<>(shell);
          line.add(sh.script());
          yield line;
        }
      };
    }

    /** ENV wins over ARG; ARGs without a value are not variables. */
    private static Map<String, String> vars(List<String> env, Map<String, String> args) {
      Map<String, String> vars = new LinkedHashMap<>();
      args.forEach((k, v) -> {
        if (v != null) {
          vars.put(k, v);
        }
      });
      for (String e : env) {
        int eq = e.indexOf('=');
        vars.put(e.substring(0, eq), e.substring(eq + 1));
      }
      return vars;
    }

    private static void setEnv(List<String> env, String key, String value) {
      for (int i = 0; i < env.size(); i++) {
        if (env.get(i).startsWith(key + "=")) {
          env.set(i, key + "=" + value);
          return;
        }
      }
      env.add(key + "=" + value);
    }
  }
}

package dev.berth.engine.build;

import dev.berth.engine.BerthException;
import dev.berth.engine.build.dockerfile.Command;
import dev.berth.engine.build.dockerfile.Expander;
import dev.berth.engine.build.dockerfile.Instruction;
import dev.berth.engine.build.dockerfile.KeyValue;
import dev.berth.engine.image.ImageConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The instructions that change only the image config (CMD, ENTRYPOINT, ENV, LABEL, EXPOSE,
 * VOLUME, USER, WORKDIR's path, SHELL, STOPSIGNAL, HEALTHCHECK, ONBUILD), applied as Docker's
 * classic builder applies them. Pure: config in, config out.
 */
final class ConfigSteps {
  static final List<String> DEFAULT_SHELL = List.of("/bin/sh", "-c");

  private ConfigSteps() {}

  /** A run config being edited. */
  static final class Config {
    String user;
    Map<String, Map<String, Object>> exposedPorts;
    List<String> env;
    List<String> entrypoint;
    List<String> cmd;
    Map<String, Map<String, Object>> volumes;
    String workingDir;
    Map<String, String> labels;
    String stopSignal;
    Integer stopTimeout;
    Boolean argsEscaped;
    ImageConfig.Healthcheck healthcheck;
    List<String> onBuild;
    List<String> shell;

    static Config of(ImageConfig.RunConfig r) {
      Config c = new Config();
      if (r != null) {
        c.user = r.user();
        c.exposedPorts = r.exposedPorts() == null ? null : new TreeMap<>(r.exposedPorts());
        c.env = r.env() == null ? null : new ArrayList<>(r.env());
        c.entrypoint = r.entrypoint();
        c.cmd = r.cmd();
        c.volumes = r.volumes() == null ? null : new TreeMap<>(r.volumes());
        c.workingDir = r.workingDir();
        c.labels = r.labels() == null ? null : new TreeMap<>(r.labels());
        c.stopSignal = r.stopSignal();
        c.stopTimeout = r.stopTimeout();
        c.argsEscaped = r.argsEscaped();
        c.healthcheck = r.healthcheck();
        c.onBuild = r.onBuild() == null ? null : new ArrayList<>(r.onBuild());
        c.shell = r.shell();
      }
      return c;
    }

    ImageConfig.RunConfig toRunConfig() {
      return new ImageConfig.RunConfig(emptyToNull(user), emptyToNull(exposedPorts), emptyToNull(env), entrypoint, cmd,
          emptyToNull(volumes), emptyToNull(workingDir), emptyToNull(labels), emptyToNull(stopSignal), stopTimeout,
          argsEscaped, healthcheck, emptyToNull(onBuild), shell);
    }

    List<String> shellOrDefault() {
      return shell == null || shell.isEmpty() ? DEFAULT_SHELL : shell;
    }

    /** The env as a map, for expansion. */
    Map<String, String> envMap() {
      Map<String, String> m = new LinkedHashMap<>();
      if (env != null) {
        for (String e : env) {
          int eq = e.indexOf('=');
          m.put(eq < 0 ? e : e.substring(0, eq), eq < 0 ? "" : e.substring(eq + 1));
        }
      }
      return m;
    }

    void setEnv(String key, String value) {
      env = env == null ? new ArrayList<>() : new ArrayList<>(env);
      String entry = key + "=" + value;
      for (int i = 0; i < env.size(); i++) {
        String e = env.get(i);
        if (e.equals(key) || e.startsWith(key + "=")) {
          env.set(i, entry);
          return;
        }
      }
      env.add(entry);
    }
  }

  /**
   * Applies a config-only instruction; {@code vars} are what its words expand with (build args
   * overlaid by the env); {@code cmdSetInStage} tells ENTRYPOINT whether CMD was set in this
   * stage (an inherited CMD is dropped by a new ENTRYPOINT, as in Docker). Returns the text that
   * identifies the step after expansion (for the cache key and the history).
   */
  static String apply(Config c, Instruction i, Expander x, Map<String, String> vars, boolean cmdSetInStage) {
    switch (i) {
      case Instruction.Cmd cmd -> {
        c.cmd = command(cmd.command(), c);
        return "CMD " + json(c.cmd);
      }
      case Instruction.Entrypoint e -> {
        c.entrypoint = command(e.command(), c);
        if (c.entrypoint != null && c.entrypoint.isEmpty()) {
          c.entrypoint = null;
        }
        if (!cmdSetInStage) {
          c.cmd = null;
        }
        return "ENTRYPOINT " + json(c.entrypoint);
      }
      case Instruction.Env env -> {
        StringBuilder text = new StringBuilder("ENV");
        Map<String, String> v = new LinkedHashMap<>(vars);
        for (KeyValue kv : env.pairs()) {
          String key = x.expand(kv.key(), v);
          String value = x.expand(kv.value(), v);
          if (key.isEmpty()) {
            throw new BerthException.InvalidArgument("ENV names can not be blank");
          }
          c.setEnv(key, value);
          v.put(key, value);
          text.append(' ').append(key).append('=').append(value);
        }
        return text.toString();
      }
      case Instruction.Label l -> {
        StringBuilder text = new StringBuilder("LABEL");
        c.labels = c.labels == null ? new TreeMap<>() : new TreeMap<>(c.labels);
        for (KeyValue kv : l.pairs()) {
          String key = x.expand(kv.key(), vars);
          String value = x.expand(kv.value(), vars);
          if (key.isEmpty()) {
            throw new BerthException.InvalidArgument("LABEL names can not be blank");
          }
          c.labels.put(key, value);
          text.append(' ').append(key).append('=').append(value);
        }
        return text.toString();
      }
      case Instruction.Expose e -> {
        c.exposedPorts = c.exposedPorts == null ? new TreeMap<>() : new TreeMap<>(c.exposedPorts);
        List<String> ports = new ArrayList<>();
        for (String word : e.ports()) {
          for (String p : x.expandWords(word, vars)) {
            ports.addAll(ports(p));
          }
        }
        ports.forEach(p -> c.exposedPorts.put(p, Map.of()));
        return "EXPOSE " + String.join(" ", ports);
      }
      case Instruction.Volume v -> {
        c.volumes = c.volumes == null ? new TreeMap<>() : new TreeMap<>(c.volumes);
        List<String> paths = new ArrayList<>();
        for (String word : v.paths()) {
          String p = x.expand(word, vars).strip();
          if (p.isEmpty()) {
            throw new BerthException.InvalidArgument("VOLUME specified can not be an empty string");
          }
          paths.add(p);
          c.volumes.put(p, Map.of());
        }
        return "VOLUME " + json(paths);
      }
      case Instruction.User u -> {
        c.user = x.expand(u.user(), vars);
        return "USER " + c.user;
      }
      case Instruction.Workdir w -> {
        c.workingDir = workdir(c.workingDir, x.expand(w.path(), vars));
        return "WORKDIR " + c.workingDir;
      }
      case Instruction.Shell s -> {
        if (s.shell().isEmpty()) {
          throw new BerthException.InvalidArgument("SHELL requires at least one argument");
        }
        c.shell = s.shell();
        return "SHELL " + json(c.shell);
      }
      case Instruction.StopSignal s -> {
        c.stopSignal = x.expand(s.signal(), vars);
        return "STOPSIGNAL " + c.stopSignal;
      }
      case Instruction.Healthcheck h -> {
        c.healthcheck = new ImageConfig.Healthcheck(h.test(), nanos(h.interval()), nanos(h.timeout()),
            nanos(h.startPeriod()), nanos(h.startInterval()), h.retries() == 0 ? null : h.retries());
        return "HEALTHCHECK " + json(h.test()) + " " + h.interval() + " " + h.timeout() + " " + h.startPeriod()
            + " " + h.startInterval() + " " + h.retries();
      }
      case Instruction.OnBuild o -> {
        c.onBuild = c.onBuild == null ? new ArrayList<>() : new ArrayList<>(c.onBuild);
        c.onBuild.add(o.expression());
        return "ONBUILD " + o.expression();
      }
      default -> throw new IllegalArgumentException(i.keyword() + " is not a config-only instruction");
    }
  }

  /** Whether {@code i} changes only the config (WORKDIR also makes its directory: not here). */
  static boolean isConfigOnly(Instruction i) {
    return switch (i) {
      case Instruction.Cmd x -> true;
      case Instruction.Entrypoint x -> true;
      case Instruction.Env x -> true;
      case Instruction.Label x -> true;
      case Instruction.Expose x -> true;
      case Instruction.Volume x -> true;
      case Instruction.User x -> true;
      case Instruction.Shell x -> true;
      case Instruction.StopSignal x -> true;
      case Instruction.Healthcheck x -> true;
      case Instruction.OnBuild x -> true;
      default -> false;
    };
  }

  /** CMD/ENTRYPOINT/RUN's argv: the exec form as written, the shell form run by the stage's SHELL. */
  static List<String> command(Command command, Config c) {
    return switch (command) {
      case Command.Exec e -> e.args();
      case Command.Shell s -> {
        List<String> argv = new ArrayList<>(c.shellOrDefault());
        argv.add(s.script());
        yield List.copyOf(argv);
      }
    };
  }

  /** WORKDIR: a relative path is joined to the current one; the result is cleaned. */
  static String workdir(String current, String path) {
    String base = current == null || current.isEmpty() ? "/" : current;
    String joined = path.startsWith("/") ? path : base + "/" + path;
    return clean(joined);
  }

  /** Go's path.Clean for absolute paths. */
  static String clean(String path) {
    List<String> out = new ArrayList<>();
    for (String part : path.split("/")) {
      if (part.isEmpty() || part.equals(".")) {
        continue;
      }
      if (part.equals("..")) {
        if (!out.isEmpty()) {
          out.removeLast();
        }
        continue;
      }
      out.add(part);
    }
    return "/" + String.join("/", out);
  }

  /** EXPOSE words: {@code 80} → {@code 80/tcp}; ranges expand; protocols lower-cased. */
  static List<String> ports(String word) {
    String proto = "tcp";
    String port = word;
    int slash = word.indexOf('/');
    if (slash >= 0) {
      proto = word.substring(slash + 1).toLowerCase(java.util.Locale.ROOT);
      port = word.substring(0, slash);
    }
    if (!proto.equals("tcp") && !proto.equals("udp") && !proto.equals("sctp")) {
      throw new BerthException.InvalidArgument("invalid proto: " + proto);
    }
    List<String> out = new ArrayList<>();
    try {
      if (port.contains("-")) {
        int lo = Integer.parseInt(port.substring(0, port.indexOf('-')));
        int hi = Integer.parseInt(port.substring(port.indexOf('-') + 1));
        if (lo > hi) {
          throw new BerthException.InvalidArgument("invalid range specified for container port: " + port);
        }
        for (int p = lo; p <= hi; p++) {
          out.add(p + "/" + proto);
        }
      } else {
        out.add(Integer.parseInt(port) + "/" + proto);
      }
    } catch (NumberFormatException e) {
      throw new BerthException.InvalidArgument("invalid containerPort: " + port);
    }
    return out;
  }

  private static Long nanos(Duration d) {
    return d == null || d.isZero() ? null : d.toNanos();
  }

  static String json(List<String> list) {
    if (list == null) {
      return "[]";
    }
    try {
      return dev.berth.engine.image.ImageJson.MAPPER.writeValueAsString(list);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String emptyToNull(String s) {
    return s == null || s.isEmpty() ? null : s;
  }

  private static <K, V> Map<K, V> emptyToNull(Map<K, V> m) {
    return m == null || m.isEmpty() ? null : m;
  }

  private static <T> List<T> emptyToNull(List<T> l) {
    return l == null || l.isEmpty() ? null : l;
  }
}

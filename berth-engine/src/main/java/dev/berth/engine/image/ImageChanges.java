package dev.berth.engine.image;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.engine.BerthException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The Dockerfile instructions {@code import} and {@code commit} accept as {@code --change}:
 * CMD, ENTRYPOINT, ENV, WORKDIR, USER, EXPOSE, LABEL, VOLUME, STOPSIGNAL. CMD and ENTRYPOINT
 * take the JSON form or the shell form (wrapped in {@code /bin/sh -c}), as in a Dockerfile.
 */
public final class ImageChanges {
  private static final ObjectMapper JSON = new ObjectMapper();

  private ImageChanges() {}

  public static ImageConfig.RunConfig apply(ImageConfig.RunConfig base, List<String> changes) {
    String user = base.user();
    Map<String, Map<String, Object>> exposed = copy(base.exposedPorts());
    List<String> env = base.env() == null ? new ArrayList<>() : new ArrayList<>(base.env());
    List<String> entrypoint = base.entrypoint();
    List<String> cmd = base.cmd();
    Map<String, Map<String, Object>> volumes = copy(base.volumes());
    String workdir = base.workingDir();
    Map<String, String> labels = base.labels() == null ? new LinkedHashMap<>() : new LinkedHashMap<>(base.labels());
    String stopSignal = base.stopSignal();
    for (String change : changes) {
      String line = change.strip();
      if (line.isEmpty()) {
        continue;
      }
      String[] parts = line.split("\\s+", 2);
      String instruction = parts[0].toUpperCase(Locale.ROOT);
      String arg = parts.length > 1 ? parts[1].strip() : "";
      if (arg.isEmpty()) {
        throw new BerthException.InvalidArgument("--change \"" + change + "\": " + instruction + " needs an argument");
      }
      switch (instruction) {
        case "CMD" -> cmd = command(arg, change);
        case "ENTRYPOINT" -> entrypoint = command(arg, change);
        case "ENV" -> {
          for (String[] kv : pairs(arg, change)) {
            env.removeIf(e -> e.startsWith(kv[0] + "="));
            env.add(kv[0] + "=" + kv[1]);
          }
        }
        case "LABEL" -> {
          for (String[] kv : pairs(arg, change)) {
            labels.put(kv[0], kv[1]);
          }
        }
        case "WORKDIR" -> workdir = arg;
        case "USER" -> user = arg;
        case "STOPSIGNAL" -> stopSignal = arg;
        case "EXPOSE" -> {
          for (String port : arg.split("\\s+")) {
            exposed.put(port.contains("/") ? port : port + "/tcp", Map.of());
          }
        }
        case "VOLUME" -> {
          for (String v : arg.startsWith("[") ? jsonList(arg, change) : List.of(arg.split("\\s+"))) {
            volumes.put(v, Map.of());
          }
        }
        default -> throw new BerthException.InvalidArgument("--change \"" + change + "\": " + instruction
            + " is not supported; use CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, STOPSIGNAL, USER, VOLUME or WORKDIR");
      }
    }
    return new ImageConfig.RunConfig(user, exposed.isEmpty() ? null : exposed, env.isEmpty() ? null : env, entrypoint,
        cmd, volumes.isEmpty() ? null : volumes, workdir, labels.isEmpty() ? null : labels, stopSignal,
        base.stopTimeout(), base.argsEscaped(), base.healthcheck(), base.onBuild(), base.shell());
  }

  private static Map<String, Map<String, Object>> copy(Map<String, Map<String, Object>> m) {
    return m == null ? new LinkedHashMap<>() : new LinkedHashMap<>(m);
  }

  private static List<String> command(String arg, String change) {
    if (arg.startsWith("[")) {
      return jsonList(arg, change);
    }
    return List.of("/bin/sh", "-c", arg);
  }

  private static List<String> jsonList(String arg, String change) {
    try {
      List<String> list = new ArrayList<>();
      JSON.readTree(arg).forEach(n -> list.add(n.asText()));
      return list;
    } catch (IOException e) {
      throw new BerthException.InvalidArgument("--change \"" + change + "\": not a JSON array of strings");
    }
  }

  /** "K=V K2=V2" or the old "K V" form. Quotes around values are removed. */
  private static List<String[]> pairs(String arg, String change) {
    List<String[]> result = new ArrayList<>();
    if (!arg.contains("=")) {
      String[] kv = arg.split("\\s+", 2);
      if (kv.length < 2) {
        throw new BerthException.InvalidArgument("--change \"" + change + "\": expected KEY=VALUE");
      }
      result.add(new String[] {kv[0], unquote(kv[1])});
      return result;
    }
    for (String token : tokens(arg)) {
      int eq = token.indexOf('=');
      if (eq < 1) {
        throw new BerthException.InvalidArgument("--change \"" + change + "\": expected KEY=VALUE, got " + token);
      }
      result.add(new String[] {token.substring(0, eq), unquote(token.substring(eq + 1))});
    }
    return result;
  }

  /** Splits at spaces outside double quotes. */
  private static List<String> tokens(String s) {
    List<String> out = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    boolean quoted = false;
    for (char c : s.toCharArray()) {
      if (c == '"') {
        quoted = !quoted;
        cur.append(c);
      } else if (Character.isWhitespace(c) && !quoted) {
        if (!cur.isEmpty()) {
          out.add(cur.toString());
          cur.setLength(0);
        }
      } else {
        cur.append(c);
      }
    }
    if (!cur.isEmpty()) {
      out.add(cur.toString());
    }
    return out;
  }

  private static String unquote(String v) {
    return v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"") ? v.substring(1, v.length() - 1) : v;
  }
}

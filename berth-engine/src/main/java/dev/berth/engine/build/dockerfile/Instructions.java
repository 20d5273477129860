package dev.berth.engine.build.dockerfile;

import dev.berth.engine.BerthException;
import dev.berth.engine.build.dockerfile.DockerfileParser.Node;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/** The instruction level (moby's instructions/parse.go): nodes → records, with Docker's checks and words. */
final class Instructions {
  private static final Pattern STAGE_NAME = Pattern.compile("^[a-z][a-z0-9-_.]*$");
  private static final Pattern ONBUILD_PREFIX = Pattern.compile("(?i)^\\s*ONBUILD\\s*");

  private Instructions() {}

  /** An instruction's error as dockerd reports one: {@code dockerfile parse error line N: message}. */
  static BerthException.InvalidArgument lineError(int line, String message) {
    return new BerthException.InvalidArgument("dockerfile parse error line " + line + ": " + message);
  }

  /** A line-level error as dockerd reports one (no line number): {@code failed to parse Dockerfile: message}. */
  static BerthException.InvalidArgument parserError(String message) {
    return new BerthException.InvalidArgument("failed to parse Dockerfile: " + message);
  }

  static Dockerfile build(List<Node> nodes, char escape, Optional<String> syntax, List<String> warnings) {
    List<Instruction> globalArgs = new ArrayList<>();
    List<Stage> stages = new ArrayList<>();
    Instruction.From from = null;
    List<Instruction> current = new ArrayList<>();
    for (Node node : nodes) {
      Instruction instruction = instruction(node);
      if (instruction instanceof Instruction.From f) {
        if (from != null) {
          stages.add(new Stage(stages.size(), from, current));
        }
        from = f;
        current = new ArrayList<>();
      } else if (from == null) {
        if (instruction instanceof Instruction.Arg) {
          globalArgs.add(instruction);
        } else {
          throw new BerthException.InvalidArgument("no build stage in current context");
        }
      } else {
        current.add(instruction);
      }
    }
    if (from == null) {
      // dockerd 20.10 fails without a message here (its builder panics); these are BuildKit's words
      throw new BerthException.InvalidArgument("dockerfile contains no stages to build");
    }
    stages.add(new Stage(stages.size(), from, current));
    return new Dockerfile(escape, syntax, globalArgs, stages, warnings);
  }

  /** What dockerd prints after {@code Step N/M :}: the joined line, trimmed. */
  static String original(Node node) {
    return Words.trim(node.original());
  }

  static Instruction instruction(Node node) {
    try {
      return switch (node.keyword()) {
        case "from" -> from(node);
        case "run" -> run(node);
        case "cmd" -> new Instruction.Cmd(node.line(), original(node), noFlags(node, command(node)));
        case "entrypoint" -> new Instruction.Entrypoint(node.line(), original(node), noFlags(node, command(node)));
        case "env" -> new Instruction.Env(node.line(), original(node), noFlags(node, pairs(node, "ENV")));
        case "label" -> new Instruction.Label(node.line(), original(node), noFlags(node, pairs(node, "LABEL")));
        case "arg" -> arg(node);
        case "expose" -> {
          atLeastOne(node, "EXPOSE");
          yield new Instruction.Expose(node.line(), original(node), noFlags(node, node.args()));
        }
        case "volume" -> volume(node);
        case "user" -> new Instruction.User(node.line(), original(node), noFlags(node, exactlyOne(node, "USER")));
        case "workdir" ->
            new Instruction.Workdir(node.line(), original(node), noFlags(node, exactlyOne(node, "WORKDIR")));
        case "stopsignal" ->
            new Instruction.StopSignal(node.line(), original(node), noFlags(node, exactlyOne(node, "STOPSIGNAL")));
        case "maintainer" ->
            new Instruction.Maintainer(node.line(), original(node), noFlags(node, exactlyOne(node, "MAINTAINER")));
        case "shell" -> shell(node);
        case "healthcheck" -> Healthchecks.parse(node);
        case "onbuild" -> onBuild(node);
        case "copy" -> copy(node);
        case "add" -> add(node);
        default -> throw new Failure("unknown instruction: " + node.keyword().toUpperCase(Locale.ROOT));
      };
    } catch (Failure e) {
      throw lineError(node.line(), e.getMessage());
    }
  }

  /** An instruction-level error; {@link #instruction} adds the line. */
  static final class Failure extends RuntimeException {
    Failure(String message) {
      super(message, null, false, false);
    }
  }

  private static Instruction from(Node node) {
    List<String> args = node.args();
    Optional<String> stageName = Optional.empty();
    if (args.size() == 3 && args.get(1).equalsIgnoreCase("as")) {
      String name = args.get(2).toLowerCase(Locale.ROOT);
      if (!STAGE_NAME.matcher(name).matches()) {
        throw new Failure("invalid name for build stage: \"" + args.get(2)
            + "\", name can't start with a number or contain symbols");
      }
      stageName = Optional.of(name);
    } else if (args.size() != 1) {
      throw new Failure("FROM requires either one or three arguments");
    }
    Map<String, List<String>> flags = Flags.parse(node.flags(), Flags.spec().string("platform"));
    return new Instruction.From(node.line(), original(node), args.getFirst(), stageName,
        Flags.single(flags, "platform"));
  }

  private static Instruction run(Node node) {
    Map<String, List<String>> flags =
        Flags.parse(node.flags(), Flags.spec().strings("mount").string("network").string("security"));
    return new Instruction.Run(node.line(), original(node), command(node), flags, node.heredocs());
  }

  /** handleJSONArgs: the JSON array as it is, or the shell form's one string. */
  private static Command command(Node node) {
    if (node.json()) {
      return new Command.Exec(node.args());
    }
    return new Command.Shell(node.args().isEmpty() ? "" : String.join(" ", node.args()));
  }

  private static <T> T noFlags(Node node, T value) {
    Flags.parse(node.flags(), Flags.spec());
    return value;
  }

  /** parseKvps. */
  private static List<KeyValue> pairs(Node node, String keyword) {
    List<String> args = node.args();
    Flags.parse(node.flags(), Flags.spec());
    if (args.isEmpty()) {
      throw new Failure(keyword + " requires at least one argument");
    }
    List<KeyValue> pairs = new ArrayList<>();
    for (int i = 0; i + 1 < args.size(); i += 2) {
      if (args.get(i).isEmpty()) {
        throw new Failure(keyword + " names can not be blank");
      }
      pairs.add(new KeyValue(args.get(i), args.get(i + 1)));
    }
    return pairs;
  }

  private static Instruction arg(Node node) {
    if (node.args().isEmpty()) {
      throw new Failure("ARG requires at least one argument");
    }
    // dockerd ignores ARG's flags (it never parses them)
    List<ArgDecl> decls = new ArrayList<>();
    for (String word : node.args()) {
      int eq = word.indexOf('=');
      if (eq < 0) {
        decls.add(new ArgDecl(word, Optional.empty()));
      } else {
        if (eq == 0) {
          throw new Failure("ARG names can not be blank");
        }
        decls.add(new ArgDecl(word.substring(0, eq), Optional.of(word.substring(eq + 1))));
      }
    }
    return new Instruction.Arg(node.line(), original(node), decls);
  }

  private static void atLeastOne(Node node, String keyword) {
    if (node.args().isEmpty()) {
      throw new Failure(keyword + " requires at least one argument");
    }
  }

  private static String exactlyOne(Node node, String keyword) {
    if (node.args().size() != 1) {
      throw new Failure(keyword + " requires exactly one argument");
    }
    return node.args().getFirst();
  }

  private static Instruction volume(Node node) {
    atLeastOne(node, "VOLUME");
    Flags.parse(node.flags(), Flags.spec());
    List<String> paths = new ArrayList<>();
    for (String v : node.args()) {
      String path = Words.trim(v);
      if (path.isEmpty()) {
        throw new Failure("VOLUME specified can not be an empty string");
      }
      paths.add(path);
    }
    return new Instruction.Volume(node.line(), original(node), paths);
  }

  private static Instruction shell(Node node) {
    Flags.parse(node.flags(), Flags.spec());
    if (node.args().isEmpty()) {
      throw new Failure("SHELL requires at least one argument");
    }
    if (!node.json()) {
      throw new Failure("SHELL requires the arguments to be in JSON form");
    }
    return new Instruction.Shell(node.line(), original(node), node.args());
  }

  private static Instruction onBuild(Node node) {
    if (node.sub() == null) {
      throw new Failure("ONBUILD requires at least one argument");
    }
    Flags.parse(node.flags(), Flags.spec());
    String trigger = node.sub().keyword().toUpperCase(Locale.ROOT);
    switch (trigger) {
      case "ONBUILD" -> throw new Failure("Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed");
      case "MAINTAINER", "FROM" -> throw new Failure(trigger + " isn't allowed as an ONBUILD trigger");
      default -> {}
    }
    String expression = Words.trim(ONBUILD_PREFIX.matcher(node.original()).replaceFirst(""));
    return new Instruction.OnBuild(node.line(), original(node), expression);
  }

  /** Sources (heredoc words taken out) and destination of COPY/ADD. */
  private record SourcesAndDest(List<String> sources, String dest, List<Heredoc> heredocs) {}

  private static SourcesAndDest sourcesAndDest(Node node, String keyword) {
    List<String> args = node.args();
    List<String> sources = args.subList(0, args.size() - 1);
    String dest = args.getLast();
    if (DockerfileParser.heredoc(dest).isPresent()) {
      throw new Failure(keyword + " cannot accept a heredoc as a destination");
    }
    Map<String, Heredoc> byName = new LinkedHashMap<>();
    node.heredocs().forEach(h -> byName.putIfAbsent(h.name(), h));
    List<String> paths = new ArrayList<>();
    List<Heredoc> docs = new ArrayList<>();
    for (String src : sources) {
      Optional<Heredoc> doc = node.json() ? Optional.empty() : DockerfileParser.heredoc(src);
      if (doc.isPresent() && byName.containsKey(doc.get().name())) {
        docs.add(byName.get(doc.get().name()));
      } else {
        paths.add(src);
      }
    }
    return new SourcesAndDest(paths, dest, docs);
  }

  private static Instruction copy(Node node) {
    if (node.args().size() < 2) {
      throw new Failure("COPY requires at least two arguments, but only one was provided."
          + " Destination could not be determined");
    }
    Map<String, List<String>> flags = Flags.parse(node.flags(),
        Flags.spec().string("chown").string("from").string("chmod").bool("link"));
    SourcesAndDest sd = sourcesAndDest(node, "COPY");
    return new Instruction.Copy(node.line(), original(node), sd.sources(), sd.dest(), Flags.single(flags, "from"),
        Flags.single(flags, "chown"), Flags.single(flags, "chmod"), Flags.bool(flags, "link"), sd.heredocs());
  }

  private static Instruction add(Node node) {
    if (node.args().size() < 2) {
      throw new Failure("ADD requires at least two arguments, but only one was provided."
          + " Destination could not be determined");
    }
    Map<String, List<String>> flags = Flags.parse(node.flags(), Flags.spec().string("chown").string("chmod")
        .string("checksum").bool("keep-git-dir").bool("link"));
    SourcesAndDest sd = sourcesAndDest(node, "ADD");
    return new Instruction.Add(node.line(), original(node), sd.sources(), sd.dest(), Flags.single(flags, "chown"),
        Flags.single(flags, "chmod"), Flags.single(flags, "checksum"), Flags.bool(flags, "keep-git-dir"),
        Flags.bool(flags, "link"), sd.heredocs());
  }
}

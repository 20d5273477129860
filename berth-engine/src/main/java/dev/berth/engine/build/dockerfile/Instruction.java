package dev.berth.engine.build.dockerfile;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One Dockerfile instruction. Every word is kept raw (quotes, escapes and {@code $VARS} as
 * written): expansion needs the build's ARG/ENV state, which only the executor has (see
 * {@link Expander} and {@link Expander#EXPANDED_INSTRUCTIONS}).
 */
public sealed interface Instruction {

  /** The 1-based line the instruction starts on. */
  int line();

  /**
   * The instruction as Docker's classic builder prints it in {@code Step N/M : <original>}: the
   * text from the keyword on, continuation lines joined (the escape char and line end removed,
   * nothing added), comment lines inside it dropped.
   */
  String original();

  /** The upper-case keyword: {@code RUN}, {@code COPY}... */
  default String keyword() {
    return switch (this) {
      case From f -> "FROM";
      case Run r -> "RUN";
      case Cmd c -> "CMD";
      case Entrypoint e -> "ENTRYPOINT";
      case Env e -> "ENV";
      case Arg a -> "ARG";
      case Label l -> "LABEL";
      case Expose e -> "EXPOSE";
      case Volume v -> "VOLUME";
      case User u -> "USER";
      case Workdir w -> "WORKDIR";
      case Shell s -> "SHELL";
      case StopSignal s -> "STOPSIGNAL";
      case Healthcheck h -> "HEALTHCHECK";
      case OnBuild o -> "ONBUILD";
      case Copy c -> "COPY";
      case Add a -> "ADD";
      case Maintainer m -> "MAINTAINER";
    };
  }

  /** {@code FROM [--platform=p] image [AS name]}; the name is lower-cased, as Docker does. */
  record From(int line, String original, String image, Optional<String> stageName, Optional<String> platform)
      implements Instruction {}

  /**
   * {@code RUN}. {@code flags} holds BuildKit's {@code --mount} (repeatable, so every flag maps to
   * a list), {@code --network} and {@code --security}, raw; the parser accepts them so the
   * executor can refuse them by name. {@code heredocs} are those opened on the line.
   */
  record Run(int line, String original, Command command, Map<String, List<String>> flags, List<Heredoc> heredocs)
      implements Instruction {
    public Run {
      flags = copyFlags(flags);
      heredocs = List.copyOf(heredocs);
    }
  }

  record Cmd(int line, String original, Command command) implements Instruction {}

  record Entrypoint(int line, String original, Command command) implements Instruction {}

  /** {@code ENV a=b c=d} or the legacy {@code ENV a b c} (one pair: {@code a} = {@code "b c"}). */
  record Env(int line, String original, List<KeyValue> pairs) implements Instruction {
    public Env {
      pairs = List.copyOf(pairs);
    }
  }

  record Arg(int line, String original, List<ArgDecl> args) implements Instruction {
    public Arg {
      args = List.copyOf(args);
    }
  }

  record Label(int line, String original, List<KeyValue> pairs) implements Instruction {
    public Label {
      pairs = List.copyOf(pairs);
    }
  }

  /** Port words as written ({@code 80}, {@code 53/udp}, {@code $PORT}); checked after expansion. */
  record Expose(int line, String original, List<String> ports) implements Instruction {
    public Expose {
      ports = List.copyOf(ports);
    }
  }

  /** Paths from the JSON form or the whitespace-separated form. */
  record Volume(int line, String original, List<String> paths) implements Instruction {
    public Volume {
      paths = List.copyOf(paths);
    }
  }

  record User(int line, String original, String user) implements Instruction {}

  record Workdir(int line, String original, String path) implements Instruction {}

  /** {@code SHELL ["exe", "arg"]}: Docker accepts only the JSON form. */
  record Shell(int line, String original, List<String> shell) implements Instruction {
    public Shell {
      shell = List.copyOf(shell);
    }
  }

  record StopSignal(int line, String original, String signal) implements Instruction {}

  /**
   * {@code HEALTHCHECK NONE} ({@code command} empty) or {@code HEALTHCHECK [flags] CMD ...}.
   * Durations and retries not given are zero, as Docker stores them in the image config (zero
   * means "the default" to the runtime: 30s, 30s, 0s, 5s, 3 retries).
   */
  record Healthcheck(int line, String original, Optional<Command> command, Duration interval, Duration timeout,
      Duration startPeriod, Duration startInterval, int retries) implements Instruction {

    public boolean none() {
      return command.isEmpty();
    }

    /** Docker's {@code Healthcheck.Test}: {@code ["NONE"]}, {@code ["CMD", args...]} or {@code ["CMD-SHELL", script]}. */
    public List<String> test() {
      if (command.isEmpty()) {
        return List.of("NONE");
      }
      List<String> test = new ArrayList<>();
      switch (command.get()) {
        case Command.Exec exec -> {
          test.add("CMD");
          test.addAll(exec.args());
        }
        case Command.Shell shell -> {
          test.add("CMD-SHELL");
          test.add(shell.script());
        }
      }
      return List.copyOf(test);
    }
  }

  /**
   * {@code ONBUILD <trigger>}. {@code expression} is what an image config stores in
   * {@code OnBuild}: the text after the keyword. As in dockerd, the parent's build checks only
   * that the trigger is not ONBUILD, FROM or MAINTAINER and that its line parses; the rest
   * (unknown instruction, flags, argument counts) is checked when a child's FROM runs it, through
   * {@link #trigger()} or {@link Dockerfile#parseInstruction(String)}.
   */
  record OnBuild(int line, String original, String expression) implements Instruction {

    /**
     * The trigger parsed as a child's build parses it.
     *
     * @throws dev.berth.engine.BerthException.InvalidArgument as {@link Dockerfile#parseInstruction}
     */
    public Instruction trigger() {
      return Dockerfile.parseInstruction(expression);
    }
  }

  /**
   * {@code COPY [--from] [--chown] [--chmod] [--link] src... dest}. Heredoc sources ({@code <<EOF})
   * are not in {@code sources} but in {@code heredocs}, in the order written.
   */
  record Copy(int line, String original, List<String> sources, String dest, Optional<String> from,
      Optional<String> chown, Optional<String> chmod, boolean link, List<Heredoc> heredocs) implements Instruction {
    public Copy {
      sources = List.copyOf(sources);
      heredocs = List.copyOf(heredocs);
    }
  }

  /** {@code ADD}: COPY's shape without {@code --from}, plus {@code --checksum} and {@code --keep-git-dir}. */
  record Add(int line, String original, List<String> sources, String dest, Optional<String> chown,
      Optional<String> chmod, Optional<String> checksum, boolean keepGitDir, boolean link, List<Heredoc> heredocs)
      implements Instruction {
    public Add {
      sources = List.copyOf(sources);
      heredocs = List.copyOf(heredocs);
    }
  }

  record Maintainer(int line, String original, String maintainer) implements Instruction {}

  private static Map<String, List<String>> copyFlags(Map<String, List<String>> flags) {
    Map<String, List<String>> copy = new LinkedHashMap<>();
    flags.forEach((k, v) -> copy.put(k, List.copyOf(v)));
    return java.util.Collections.unmodifiableMap(copy);
  }
}

package dev.berth.engine.build.dockerfile;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** An instruction's {@code --flag} words, checked as moby's BFlags checks them. */
final class Flags {
  enum Type { BOOL, STRING, STRINGS }

  /** The flags an instruction accepts. */
  static final class Spec {
    private final Map<String, Type> types = new LinkedHashMap<>();

    Spec string(String name) {
      types.put(name, Type.STRING);
      return this;
    }

    Spec strings(String name) {
      types.put(name, Type.STRINGS);
      return this;
    }

    Spec bool(String name) {
      types.put(name, Type.BOOL);
      return this;
    }
  }

  private Flags() {}

  static Spec spec() {
    return new Spec();
  }

  /**
   * The flags given, by name (a boolean as {@code "true"}/{@code "false"}); in the order given.
   *
   * @throws Instructions.Failure in Docker's words for an unknown, duplicated or malformed flag
   */
  static Map<String, List<String>> parse(List<String> words, Spec spec) {
    Map<String, List<String>> values = new LinkedHashMap<>();
    for (String word : words) {
      if (!word.startsWith("--")) {
        throw new Instructions.Failure("Arg should start with -- : " + word);
      }
      if (word.equals("--")) {
        break;
      }
      String arg = word.substring(2);
      String value = "";
      int index = arg.indexOf('=');
      if (index >= 0) {
        value = arg.substring(index + 1);
        arg = arg.substring(0, index);
      }
      Type type = spec.types.get(arg);
      if (type == null) {
        throw new Instructions.Failure("Unknown flag: " + arg);
      }
      if (values.containsKey(arg) && type != Type.STRINGS) {
        throw new Instructions.Failure("Duplicate flag specified: " + arg);
      }
      switch (type) {
        case BOOL -> {
          if (index >= 0 && value.isEmpty()) {
            throw new Instructions.Failure("Missing a value on flag: " + arg);
          }
          String lower = value.toLowerCase(java.util.Locale.ROOT);
          if (lower.isEmpty()) {
            lower = "true";
          } else if (!lower.equals("true") && !lower.equals("false")) {
            throw new Instructions.Failure("Expecting boolean value for flag " + arg + ", not: " + value);
          }
          values.put(arg, List.of(lower));
        }
        case STRING -> {
          if (index < 0) {
            throw new Instructions.Failure("Missing a value on flag: " + arg);
          }
          values.put(arg, List.of(value));
        }
        case STRINGS -> {
          if (index < 0) {
            throw new Instructions.Failure("Missing a value on flag: " + arg);
          }
          values.computeIfAbsent(arg, k -> new ArrayList<>()).add(value);
        }
      }
    }
    return values;
  }

  /** A string flag's value; a flag given as {@code --from=} counts as not given, as in Docker. */
  static Optional<String> single(Map<String, List<String>> flags, String name) {
    List<String> v = flags.get(name);
    return v == null || v.getFirst().isEmpty() ? Optional.empty() : Optional.of(v.getFirst());
  }

  static boolean bool(Map<String, List<String>> flags, String name) {
    List<String> v = flags.get(name);
    return v != null && v.getFirst().equals("true");
  }
}

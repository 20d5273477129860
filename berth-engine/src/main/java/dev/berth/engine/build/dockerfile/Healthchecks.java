package dev.berth.engine.build.dockerfile;

import dev.berth.engine.build.dockerfile.DockerfileParser.Node;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** HEALTHCHECK as moby's parseHealthcheck reads it, with Go's duration syntax for the flags. */
final class Healthchecks {
  /** Docker's container.MinimumDuration: a non-zero interval must be at least this. */
  static final Duration MINIMUM = Duration.ofMillis(1);

  private Healthchecks() {}

  static Instruction parse(Node node) {
    List<String> args = node.args();
    if (args.isEmpty()) {
      throw new Instructions.Failure("HEALTHCHECK requires at least one argument");
    }
    String type = args.getFirst().toUpperCase(Locale.ROOT);
    List<String> rest = args.subList(1, args.size());
    if (type.equals("NONE")) {
      // dockerd does not read the flags of HEALTHCHECK NONE (even unknown ones)
      if (!rest.isEmpty()) {
        throw new Instructions.Failure("HEALTHCHECK NONE takes no arguments");
      }
      return new Instruction.Healthcheck(node.line(), Instructions.original(node), Optional.empty(), Duration.ZERO,
          Duration.ZERO, Duration.ZERO, Duration.ZERO, 0);
    }
    Map<String, List<String>> flags = Flags.parse(node.flags(), Flags.spec().string("interval").string("timeout")
        .string("start-period").string("start-interval").string("retries"));
    if (!type.equals("CMD")) {
      throw new Instructions.Failure("Unknown type \"" + type + "\" in HEALTHCHECK (try CMD)");
    }
    if (rest.isEmpty()) {
      throw new Instructions.Failure("Missing command after HEALTHCHECK CMD");
    }
    Command command = node.json() ? new Command.Exec(rest) : new Command.Shell(String.join(" ", rest));
    Duration interval = interval(flags, "interval");
    Duration timeout = interval(flags, "timeout");
    Duration startPeriod = interval(flags, "start-period");
    Duration startInterval = interval(flags, "start-interval");
    int retries = 0;
    String r = Flags.single(flags, "retries").orElse("");
    if (!r.isEmpty()) {
      long parsed;
      try {
        parsed = Long.parseLong(r.startsWith("+") ? r.substring(1) : r);
      } catch (NumberFormatException e) {
        parsed = Long.MIN_VALUE;
      }
      if (parsed == Long.MIN_VALUE || !r.matches("[+-]?[0-9]+")) {
        throw new Instructions.Failure("strconv.ParseInt: parsing \"" + r + "\": invalid syntax");
      }
      if (parsed > Integer.MAX_VALUE || parsed < Integer.MIN_VALUE) {
        throw new Instructions.Failure("strconv.ParseInt: parsing \"" + r + "\": value out of range");
      }
      if (parsed < 1) {
        throw new Instructions.Failure("--retries must be at least 1 (not " + parsed + ")");
      }
      retries = (int) parsed;
    }
    return new Instruction.Healthcheck(node.line(), Instructions.original(node), Optional.of(command), interval, timeout,
        startPeriod, startInterval, retries);
  }

  /** parseOptInterval: not given is zero (the default); given, at least 1ms (dockerd 20.10 refuses 0 too). */
  private static Duration interval(Map<String, List<String>> flags, String name) {
    String value = Flags.single(flags, name).orElse("");
    if (value.isEmpty()) {
      return Duration.ZERO;
    }
    Duration d = goDuration(value);
    if (d.compareTo(MINIMUM) < 0) {
      throw new Instructions.Failure("Interval \"" + name + "\" cannot be less than 1ms");
    }
    return d;
  }

  /** Go's time.ParseDuration: {@code 1h30m}, {@code 1.5s}, {@code 300ms}, {@code -2us}; {@code 0} alone. */
  static Duration goDuration(String s) {
    String orig = s;
    boolean negative = false;
    if (!s.isEmpty() && (s.charAt(0) == '-' || s.charAt(0) == '+')) {
      negative = s.charAt(0) == '-';
      s = s.substring(1);
    }
    if (s.equals("0")) {
      return Duration.ZERO;
    }
    if (s.isEmpty()) {
      throw invalid(orig);
    }
    BigDecimal total = BigDecimal.ZERO;
    int i = 0;
    while (i < s.length()) {
      int start = i;
      while (i < s.length() && (Character.isDigit(s.charAt(i)) || s.charAt(i) == '.')) {
        i++;
      }
      String number = s.substring(start, i);
      if (number.isEmpty() || number.equals(".") || number.indexOf('.') != number.lastIndexOf('.')) {
        throw invalid(orig);
      }
      int unitStart = i;
      while (i < s.length() && !Character.isDigit(s.charAt(i)) && s.charAt(i) != '.') {
        i++;
      }
      String unit = s.substring(unitStart, i);
      if (unit.isEmpty()) {
        throw new Instructions.Failure("time: missing unit in duration \"" + orig + "\"");
      }
      long nanosPerUnit = switch (unit) {
        case "ns" -> 1L;
        case "us", "\u00b5s", "\u03bcs" -> 1_000L;
        case "ms" -> 1_000_000L;
        case "s" -> 1_000_000_000L;
        case "m" -> 60_000_000_000L;
        case "h" -> 3_600_000_000_000L;
        default -> throw new Instructions.Failure("time: unknown unit \"" + unit + "\" in duration \"" + orig + "\"");
      };
      String n = number.endsWith(".") ? number + "0" : number.startsWith(".") ? "0" + number : number;
      total = total.add(new BigDecimal(n).multiply(BigDecimal.valueOf(nanosPerUnit)));
    }
    if (total.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
      throw invalid(orig);
    }
    long nanos = total.longValue();
    return Duration.ofNanos(negative ? -nanos : nanos);
  }

  private static Instructions.Failure invalid(String s) {
    return new Instructions.Failure("time: invalid duration \"" + s + "\"");
  }
}

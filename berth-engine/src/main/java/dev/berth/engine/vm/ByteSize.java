package dev.berth.engine.vm;

import dev.berth.engine.BerthException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Docker-style sizes: a number with an optional binary unit b, k, m, g, t (256m, 1g, 1.5G, 64MiB). */
public final class ByteSize {
  private static final Pattern SIZE = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*([kmgt]?)(?:i?b)?", Pattern.CASE_INSENSITIVE);

  private ByteSize() {}

  /** True when {@code value} reads as a size (used to tell {@code --disk 10g} from a path). */
  public static boolean looksLikeSize(String value) {
    return value != null && SIZE.matcher(value.strip()).matches();
  }

  /** Bytes in {@code value}; {@code option} names the flag in the error, e.g. "--memory". */
  public static long parse(String option, String value) {
    Matcher m = value == null ? null : SIZE.matcher(value.strip());
    if (m == null || !m.matches()) {
      throw new BerthException.InvalidArgument("invalid " + option + " \"" + value
          + "\": expected a size such as 256m, 1g or 1536k (units b, k, m, g, t)");
    }
    int shift = switch (m.group(2).toLowerCase(Locale.ROOT)) {
      case "" -> 0;
      case "k" -> 10;
      case "m" -> 20;
      case "g" -> 30;
      default -> 40;
    };
    double bytes = Double.parseDouble(m.group(1)) * (1L << shift);
    if (bytes < 1 || bytes > (double) Long.MAX_VALUE / 2) {
      throw new BerthException.InvalidArgument("invalid " + option + " \"" + value + "\": out of range");
    }
    return (long) bytes;
  }
}

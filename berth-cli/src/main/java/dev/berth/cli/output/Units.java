package dev.berth.cli.output;

/**
 * Human sizes as docker prints them (go-units): "23.59GiB", "2.13MB". Rounded with plain
 * arithmetic: BigDecimal would do it too, but initializing it costs a command ~20 ms on JDK 25.
 */
public final class Units {
  private static final String[] BINARY = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};

  private static final String[] DECIMAL = {"B", "kB", "MB", "GB", "TB", "PB"};

  private Units() {}

  /** go-units' HumanSize (decimal units, three significant digits): image sizes, docker stats' I/O. */
  public static String bytesDecimal(double bytes) {
    return bytesDecimal(bytes, 3);
  }

  /** Decimal units with {@code digits} significant digits (docker system df -v uses four). */
  public static String bytesDecimal(double bytes, int digits) {
    double value = bytes;
    int unit = 0;
    while (value >= 1000 && unit < DECIMAL.length - 1) {
      value /= 1000;
      unit++;
    }
    return significant(value, digits) + DECIMAL[unit];
  }

  /** go-units' BytesSize (binary units, four significant digits): memory. */
  public static String bytesBinary(long bytes) {
    double value = bytes;
    int unit = 0;
    while (value >= 1024 && unit < BINARY.length - 1) {
      value /= 1024;
      unit++;
    }
    return significant(value, 4) + BINARY[unit];
  }

  /** {@code value} (0 or at least 1) rounded half up to {@code digits} significant digits, no trailing zeros. */
  static String significant(double value, int digits) {
    if (value < 1) {
      return value <= 0 ? "0" : Long.toString(Math.round(value));
    }
    int integerDigits = (int) Math.floor(Math.log10(value)) + 1;
    int decimals = Math.max(0, digits - integerDigits);
    long scale = (long) Math.pow(10, decimals);
    long scaled = Math.round(value * scale);
    String whole = Long.toString(scaled / scale);
    if (decimals == 0) {
      return whole;
    }
    StringBuilder fraction = new StringBuilder(Long.toString(scaled % scale));
    while (fraction.length() < decimals) {
      fraction.insert(0, '0');
    }
    while (!fraction.isEmpty() && fraction.charAt(fraction.length() - 1) == '0') {
      fraction.setLength(fraction.length() - 1);
    }
    return fraction.isEmpty() ? whole : whole + "." + fraction;
  }
}

package dev.berth.cli.output;

import java.math.BigDecimal;
import java.math.MathContext;

/** Human sizes as docker prints them: binary units, four significant digits, "23.59GiB". */
public final class Units {
  private static final String[] BINARY = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};

  private static final String[] DECIMAL = {"B", "kB", "MB", "GB", "TB", "PB"};

  private Units() {}

  /** go-units' HumanSize (decimal units, three significant digits): docker stats' NET I/O and BLOCK I/O. */
  public static String bytesDecimal(double bytes) {
    double value = bytes;
    int unit = 0;
    while (value >= 1000 && unit < DECIMAL.length - 1) {
      value /= 1000;
      unit++;
    }
    String number = new BigDecimal(value).round(new MathContext(3)).stripTrailingZeros().toPlainString();
    return number + DECIMAL[unit];
  }

  public static String bytesBinary(long bytes) {
    double value = bytes;
    int unit = 0;
    while (value >= 1024 && unit < BINARY.length - 1) {
      value /= 1024;
      unit++;
    }
    String number = new BigDecimal(value).round(new MathContext(4)).stripTrailingZeros().toPlainString();
    return number + BINARY[unit];
  }
}

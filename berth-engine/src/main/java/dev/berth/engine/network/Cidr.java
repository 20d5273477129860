package dev.berth.engine.network;

import dev.berth.engine.BerthException;

/** An IPv4 prefix (10.89.0.0/24) or an address with its prefix length (10.89.0.1/24). */
public record Cidr(int address, int prefix) {
  public Cidr {
    if (prefix < 0 || prefix > 32) {
      throw new BerthException.InvalidArgument("invalid prefix length /" + prefix);
    }
  }

  /** "10.1.2.0/24"; a plain address is a /32. */
  public static Cidr parse(String text) {
    String t = text == null ? "" : text.strip();
    int slash = t.indexOf('/');
    try {
      int prefix = slash < 0 ? 32 : Integer.parseInt(t.substring(slash + 1));
      return new Cidr(parseAddress(slash < 0 ? t : t.substring(0, slash)), prefix);
    } catch (NumberFormatException e) {
      throw new BerthException.InvalidArgument("invalid CIDR address: " + text);
    }
  }

  /** A dotted quad as an int; IPv6 is not supported here. */
  public static int parseAddress(String text) {
    String[] parts = text.strip().split("\\.", -1);
    if (parts.length != 4) {
      throw new BerthException.InvalidArgument("invalid IPv4 address: " + text + " (only IPv4 is supported)");
    }
    int a = 0;
    for (String p : parts) {
      int v;
      try {
        v = Integer.parseInt(p);
      } catch (NumberFormatException e) {
        throw new BerthException.InvalidArgument("invalid IPv4 address: " + text);
      }
      if (v < 0 || v > 255 || p.isEmpty() || (p.length() > 1 && p.startsWith("0"))) {
        throw new BerthException.InvalidArgument("invalid IPv4 address: " + text);
      }
      a = (a << 8) | v;
    }
    return a;
  }

  public static String format(int a) {
    return ((a >>> 24) & 255) + "." + ((a >>> 16) & 255) + "." + ((a >>> 8) & 255) + "." + (a & 255);
  }

  public int mask() {
    return prefix == 0 ? 0 : -1 << (32 - prefix);
  }

  /** The prefix itself (host bits cleared). */
  public Cidr network() {
    return new Cidr(address & mask(), prefix);
  }

  public boolean contains(int ip) {
    return (ip & mask()) == (address & mask());
  }

  public boolean overlaps(Cidr other) {
    int m = prefix < other.prefix ? mask() : other.mask();
    return (address & m) == (other.address & m);
  }

  /** The n-th address of the prefix (1 = the first host). */
  public int host(long n) {
    return (address & mask()) + (int) n;
  }

  public long size() {
    return 1L << (32 - prefix);
  }

  public String addressText() {
    return format(address);
  }

  @Override
  public String toString() {
    return format(address) + "/" + prefix;
  }
}

package dev.berth.engine.volume;

import java.util.Locale;

/** The kinds of mount a container can have besides its rootfs, as Docker names them. */
public enum MountType {
  BIND, VOLUME, TMPFS;

  /** Docker's name: "bind", "volume", "tmpfs". */
  public String apiName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** From Docker's name; 400 naming the known ones otherwise. */
  public static MountType parse(String s) {
    for (MountType t : values()) {
      if (t.apiName().equals(s)) {
        return t;
      }
    }
    throw new dev.berth.engine.BerthException.InvalidArgument("invalid mount config: mount type unknown: \"" + s
        + "\" (use bind, volume or tmpfs)");
  }
}

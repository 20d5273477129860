package dev.berth.engine.runtime.spec;

/**
 * A devices-cgroup rule: allow or deny {@code access} (a combination of r, w, m) on
 * {@code type} (a, c, b) {@code major:minor}; null major/minor mean "any".
 */
public record DeviceRule(boolean allow, String type, Long major, Long minor, String access) {
  public static DeviceRule denyAll() {
    return new DeviceRule(false, null, null, null, "rwm");
  }

  public static DeviceRule allowChar(long major, long minor) {
    return new DeviceRule(true, "c", major, minor, "rwm");
  }
}

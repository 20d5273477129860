package dev.berth.engine.pod;

/** A seccomp or AppArmor profile choice (CRI {@code SecurityProfile}). */
public record SecurityProfile(Type type, String localhostRef) {
  public enum Type {
    RUNTIME_DEFAULT,
    UNCONFINED,
    /** A profile file on the host, {@link SecurityProfile#localhostRef()}. */
    LOCALHOST
  }

  public static final SecurityProfile RUNTIME_DEFAULT = new SecurityProfile(Type.RUNTIME_DEFAULT, "");
  public static final SecurityProfile UNCONFINED = new SecurityProfile(Type.UNCONFINED, "");

  public SecurityProfile {
    type = type == null ? Type.RUNTIME_DEFAULT : type;
    localhostRef = localhostRef == null ? "" : localhostRef;
  }
}

package dev.berth.cli;

/** The CLI's own version, from the jar manifest (the CLI does not depend on the engine). */
public final class CliVersion {
  private CliVersion() {}

  public static String version() {
    String v = CliVersion.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }
}

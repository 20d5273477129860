package dev.berth.engine;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/** Berth's own version and the Docker API versions it speaks. */
public final class BerthVersion {
  /** The newest Docker Engine API version served (moby 28.5). */
  public static final String API_VERSION = "1.51";
  /** The oldest Docker Engine API version accepted. */
  public static final String MIN_API_VERSION = "1.24";
  /**
   * The Docker Engine release whose API Berth serves, reported as the server's version: clients
   * gate features on it (Testcontainers refuses a server "older than 1.6.0", which Berth's own
   * 0.x would be). Berth's own version is reported beside it.
   */
  public static final String DOCKER_COMPATIBLE_VERSION = "28.5.0";

  private static final Properties BUILD = load();

  private BerthVersion() {}

  public static String version() {
    return BUILD.getProperty("version", "dev");
  }

  /** When this build was made (UTC, ISO 8601), or empty when unknown. */
  public static String buildTime() {
    return BUILD.getProperty("build.time", "");
  }

  private static Properties load() {
    Properties p = new Properties();
    try (InputStream in = BerthVersion.class.getResourceAsStream("berth-version.properties")) {
      if (in != null) {
        p.load(in);
      }
      return p;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

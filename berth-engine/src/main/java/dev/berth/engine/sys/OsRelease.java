package dev.berth.engine.sys;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The few fields of os-release(5) that Berth shows. The format is shell-like KEY=value with
 * optional quotes; no Java library reads it, and these fields need no more than unquoting.
 */
public record OsRelease(String prettyName, String versionId) {

  public static OsRelease read(Path file) {
    Map<String, String> values = new HashMap<>();
    try {
      for (String line : Files.readAllLines(file)) {
        int eq = line.indexOf('=');
        if (line.startsWith("#") || eq < 1) {
          continue;
        }
        values.put(line.substring(0, eq).strip(), unquote(line.substring(eq + 1).strip()));
      }
    } catch (IOException e) {
      return new OsRelease("Linux", "");
    }
    return new OsRelease(values.getOrDefault("PRETTY_NAME", "Linux"), values.getOrDefault("VERSION_ID", ""));
  }

  static String unquote(String value) {
    if (value.length() >= 2 && (value.startsWith("\"") && value.endsWith("\"")
        || value.startsWith("'") && value.endsWith("'"))) {
      return value.substring(1, value.length() - 1).replace("\\\"", "\"").replace("\\\\", "\\");
    }
    return value;
  }
}

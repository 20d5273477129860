package dev.berth.engine.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.engine.runtime.spec.SpecJson;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** The runtime's --log file (--log-format=json): one JSON object per line, level and msg. */
final class RuntimeLog {
  private RuntimeLog() {}

  /** The last error message in the file, if any. */
  static Optional<String> lastError(Path file) {
    String found = null;
    try {
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        if (line.isBlank()) {
          continue;
        }
        try {
          JsonNode node = SpecJson.mapper().readTree(line);
          if ("error".equals(node.path("level").asText()) && node.hasNonNull("msg")) {
            found = node.get("msg").asText();
          }
        } catch (IOException notJson) {
          found = line.strip();
        }
      }
    } catch (IOException e) {
      return Optional.empty();
    }
    return Optional.ofNullable(found);
  }
}

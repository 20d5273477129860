package dev.berth.engine.bench;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.berth.engine.BerthException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Bench reports as JSON files, {@code <data-root>/bench/<id>.json}, written whole (temp file +
 * rename). The file is the wire form (PascalCase, as every /berth/v1 body): the API serves it as it is.
 */
public final class BenchStore {
  static final ObjectMapper JSON = new ObjectMapper()
      .setPropertyNamingStrategy(PropertyNamingStrategies.UPPER_CAMEL_CASE)
      .enable(SerializationFeature.INDENT_OUTPUT)
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
  private static final Pattern ID = Pattern.compile("[0-9a-f]{12}");

  private final Path dir;

  public BenchStore(Path dir) {
    this.dir = dir;
  }

  public void save(BenchReport report) {
    try {
      Files.createDirectories(dir);
      Path tmp = dir.resolve(report.id() + ".json.tmp");
      Files.write(tmp, JSON.writeValueAsBytes(report));
      try {
        Files.move(tmp, file(report.id()), StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, file(report.id()), StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot store bench report " + report.id() + " under " + dir, e);
    }
  }

  /** The stored JSON of one report. */
  public String json(String id) {
    try {
      return Files.readString(file(check(id)));
    } catch (java.nio.file.NoSuchFileException e) {
      throw new BerthException.NotFound("No such bench report: " + id + " (berth bench ls lists them)");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public BenchReport get(String id) {
    try {
      return JSON.readValue(json(id), BenchReport.class);
    } catch (IOException e) {
      throw new BerthException("bench report " + id + " is unreadable: " + e.getMessage(), e);
    }
  }

  /** Every stored report, newest first (unreadable files are left out). */
  public List<BenchReport> list() {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    List<BenchReport> all = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.filter(p -> p.getFileName().toString().endsWith(".json")).toList()) {
        try {
          all.add(JSON.readValue(f.toFile(), BenchReport.class));
        } catch (IOException unreadable) {
          // a hand-edited or foreign file: not ours to list
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    all.sort(Comparator.comparing(BenchReport::created).reversed());
    return all;
  }

  private static String check(String id) {
    if (id == null || !ID.matcher(id).matches()) {
      throw new BerthException.NotFound("No such bench report: " + id + " (IDs are 12 hex digits; berth bench ls lists them)");
    }
    return id;
  }

  private Path file(String id) {
    return dir.resolve(id + ".json");
  }
}

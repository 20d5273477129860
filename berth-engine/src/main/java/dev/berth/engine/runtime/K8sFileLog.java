package dev.berth.engine.runtime;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Reads a conmon k8s-file log (the CRI log format). */
public final class K8sFileLog {
  private K8sFileLog() {}

  public static List<LogEntry> read(Path file) {
    try {
      List<LogEntry> entries = new ArrayList<>();
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        LogEntry entry = LogEntry.parse(line);
        if (entry != null) {
          entries.add(entry);
        }
      }
      return entries;
    } catch (NoSuchFileException e) {
      return List.of();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read container log " + file, e);
    }
  }

  /** Everything one stream wrote, in order. */
  public static String text(List<LogEntry> entries, LogEntry.Stream stream) {
    StringBuilder out = new StringBuilder();
    for (LogEntry e : entries) {
      if (e.stream() == stream) {
        out.append(e.text());
      }
    }
    return out.toString();
  }
}

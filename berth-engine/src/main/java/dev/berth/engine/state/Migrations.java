package dev.berth.engine.state;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The schema's history, as SQL resources listed in {@code migrations/index}: one file name a
 * line, {@code V<version>__<name>.sql}. An index file (rather than scanning the class path)
 * keeps the order explicit and works the same from a jar and from a directory.
 */
public final class Migrations {
  private static final Pattern FILE_NAME = Pattern.compile("V(\\d+)__([A-Za-z0-9_]+)\\.sql");

  private Migrations() {}

  /** The migrations shipped with this build, in order. */
  public static List<Migration> builtIn() {
    String index = read("migrations/index");
    List<Migration> result = new ArrayList<>();
    for (String line : index.split("\n")) {
      String file = line.strip();
      if (file.isEmpty() || file.startsWith("#")) {
        continue;
      }
      Matcher m = FILE_NAME.matcher(file);
      if (!m.matches()) {
        throw new IllegalStateException("bad migration file name in index: " + file);
      }
      result.add(new Migration(Integer.parseInt(m.group(1)), m.group(2), read("migrations/" + file)));
    }
    checkSequence(result);
    return List.copyOf(result);
  }

  /** Versions must run 1, 2, 3 ... without gaps, so a missing file is caught at build time. */
  static void checkSequence(List<Migration> migrations) {
    for (int i = 0; i < migrations.size(); i++) {
      if (migrations.get(i).version() != i + 1) {
        throw new IllegalStateException("migration versions must be 1..n without gaps; found "
            + migrations.get(i).version() + " at position " + (i + 1));
      }
    }
  }

  private static String read(String resource) {
    try (InputStream in = Migrations.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + resource);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

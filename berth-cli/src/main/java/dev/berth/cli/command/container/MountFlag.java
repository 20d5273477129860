package dev.berth.cli.command.container;

import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import dev.berth.cli.json.Json;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * docker's {@code --mount} value: one CSV record of key=value fields (a quoted field may hold
 * commas), turned into a HostConfig.Mounts entry. Errors read as docker's.
 */
final class MountFlag {
  private static final CsvMapper CSV = CsvMapper.builder().enable(CsvParser.Feature.WRAP_AS_ARRAY).build();

  private MountFlag() {}

  static ObjectNode parse(String value) {
    try {
      return parseFields(value);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("invalid argument \"" + value + "\" for \"--mount\" flag: " + e.getMessage());
    }
  }

  private static ObjectNode parseFields(String value) {
    String[] fields;
    try (MappingIterator<String[]> it = CSV.readerFor(String[].class).readValues(value)) {
      fields = it.hasNext() ? it.next() : new String[0];
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException("not a CSV record: " + e.getMessage());
    }
    ObjectNode m = Json.object();
    m.put("Type", "volume");
    ObjectNode bind = null;
    ObjectNode volume = null;
    ObjectNode tmpfs = null;
    for (String field : fields) {
      int eq = field.indexOf('=');
      String key = (eq < 0 ? field : field.substring(0, eq)).toLowerCase(Locale.ROOT);
      String val = eq < 0 ? null : field.substring(eq + 1);
      if (val == null) {
        switch (key) {
          case "readonly", "ro" -> m.put("ReadOnly", true);
          case "volume-nocopy" -> (volume = orNew(m, "VolumeOptions", volume)).put("NoCopy", true);
          default -> throw new IllegalArgumentException("invalid field '" + field + "' must be a key=value pair");
        }
        continue;
      }
      switch (key) {
        case "type" -> m.put("Type", val.toLowerCase(Locale.ROOT));
        case "source", "src" -> m.put("Source", val);
        case "target", "dst", "destination" -> m.put("Target", val);
        case "readonly", "ro" -> m.put("ReadOnly", bool(key, val));
        case "consistency" -> m.put("Consistency", val);
        case "bind-propagation" -> (bind = orNew(m, "BindOptions", bind)).put("Propagation", val.toLowerCase(Locale.ROOT));
        case "volume-nocopy" -> (volume = orNew(m, "VolumeOptions", volume)).put("NoCopy", bool(key, val));
        case "volume-label" -> keyValue((volume = orNew(m, "VolumeOptions", volume)), "Labels", val);
        case "volume-driver" -> driver((volume = orNew(m, "VolumeOptions", volume))).put("Name", val);
        case "volume-opt" -> keyValue(driver((volume = orNew(m, "VolumeOptions", volume))), "Options", val);
        case "volume-subpath" -> (volume = orNew(m, "VolumeOptions", volume)).put("Subpath", val);
        case "tmpfs-size" -> (tmpfs = orNew(m, "TmpfsOptions", tmpfs)).put("SizeBytes",
            ContainerOptions.bytes("--mount tmpfs-size", val));
        case "tmpfs-mode" -> {
          try {
            (tmpfs = orNew(m, "TmpfsOptions", tmpfs)).put("Mode", Integer.parseUnsignedInt(val, 8));
          } catch (NumberFormatException e) {
            throw new IllegalArgumentException("invalid value for " + key + ": " + val + " (an octal mode such as 1770)");
          }
        }
        default -> throw new IllegalArgumentException("unexpected key '" + key + "' in '" + field + "'");
      }
    }
    String type = m.path("Type").asText();
    if (m.path("Target").asText("").isEmpty()) {
      throw new IllegalArgumentException("target is required");
    }
    if (volume != null && !type.equals("volume")) {
      throw new IllegalArgumentException("cannot mix 'volume-*' options with mount type '" + type + "'");
    }
    if (bind != null && !type.equals("bind")) {
      throw new IllegalArgumentException("cannot mix 'bind-*' options with mount type '" + type + "'");
    }
    if (tmpfs != null && !type.equals("tmpfs")) {
      throw new IllegalArgumentException("cannot mix 'tmpfs-*' options with mount type '" + type + "'");
    }
    String source = m.path("Source").asText("");
    if (type.equals("bind") && !source.isEmpty() && !source.startsWith("/")) {
      m.put("Source", Path.of(source).toAbsolutePath().normalize().toString()); // docker makes it absolute too
    }
    return m;
  }

  private static ObjectNode orNew(ObjectNode m, String name, ObjectNode existing) {
    return existing != null ? existing : m.putObject(name);
  }

  private static ObjectNode driver(ObjectNode volume) {
    return volume.has("DriverConfig") ? (ObjectNode) volume.get("DriverConfig") : volume.putObject("DriverConfig");
  }

  private static void keyValue(ObjectNode parent, String name, String kv) {
    ObjectNode map = parent.has(name) ? (ObjectNode) parent.get(name) : parent.putObject(name);
    int eq = kv.indexOf('=');
    map.put(eq < 0 ? kv : kv.substring(0, eq), eq < 0 ? "" : kv.substring(eq + 1));
  }

  private static boolean bool(String key, String val) {
    return switch (val.toLowerCase(Locale.ROOT)) {
      case "1", "t", "true" -> true;
      case "0", "f", "false" -> false;
      default -> throw new IllegalArgumentException("invalid value for " + key + ": " + val);
    };
  }
}

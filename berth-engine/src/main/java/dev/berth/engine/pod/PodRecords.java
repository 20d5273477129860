package dev.berth.engine.pod;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import dev.berth.engine.BerthException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.Map;

/**
 * The pods' own records, one JSON file each under {@code <data-root>/pods/} (sandboxes/ and
 * containers/, named by ID), written by temp file and rename; cached in memory. The Berth
 * containers stay the truth for state: a record says only what CRI asked.
 */
final class PodRecords {
  static final ObjectMapper JSON = new ObjectMapper()
      .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
      .registerModule(new SimpleModule().addSerializer(OptionalLong.class, new JsonSerializer<>() {
        @Override
        public void serialize(OptionalLong v, JsonGenerator g, SerializerProvider p) throws IOException {
          if (v.isPresent()) {
            g.writeNumber(v.getAsLong());
          } else {
            g.writeNull();
          }
        }
      }).addDeserializer(OptionalLong.class, new JsonDeserializer<>() {
        @Override
        public OptionalLong deserialize(JsonParser p, DeserializationContext c) throws IOException {
          return OptionalLong.of(p.getLongValue());
        }

        @Override
        public OptionalLong getNullValue(DeserializationContext c) {
          return OptionalLong.empty();
        }
      }));

  private final Path sandboxDir;
  private final Path containerDir;
  private final Map<String, SandboxRecord> sandboxes = new ConcurrentHashMap<>();
  private final Map<String, ContainerRecord> containers = new ConcurrentHashMap<>();

  PodRecords(Path root) {
    this.sandboxDir = root.resolve("sandboxes");
    this.containerDir = root.resolve("containers");
    try {
      Files.createDirectories(sandboxDir);
      Files.createDirectories(containerDir);
    } catch (IOException e) {
      throw new BerthException.Unavailable("cannot create " + root + ": " + e.getMessage(), e);
    }
    for (SandboxRecord r : readAll(sandboxDir, SandboxRecord.class)) {
      sandboxes.put(r.id(), r);
    }
    for (ContainerRecord r : readAll(containerDir, ContainerRecord.class)) {
      containers.put(r.id(), r);
    }
  }

  Optional<SandboxRecord> sandbox(String id) {
    return Optional.ofNullable(sandboxes.get(id));
  }

  Optional<ContainerRecord> container(String id) {
    return Optional.ofNullable(containers.get(id));
  }

  List<SandboxRecord> sandboxes() {
    return List.copyOf(sandboxes.values());
  }

  List<ContainerRecord> containers() {
    return List.copyOf(containers.values());
  }

  List<ContainerRecord> containersOf(String sandboxId) {
    return containers.values().stream().filter(c -> c.sandboxId().equals(sandboxId)).toList();
  }

  /** By full ID or a unique prefix (crictl's short IDs). */
  Optional<SandboxRecord> resolveSandbox(String id) {
    if (id == null || id.isEmpty()) {
      throw new BerthException.InvalidArgument("a pod sandbox ID is required");
    }
    return sandbox(id).or(() -> unique(sandboxes().stream().filter(r -> r.id().startsWith(id))
        .toList(), id));
  }

  /** By full ID or a unique prefix. */
  Optional<ContainerRecord> resolveContainer(String id) {
    if (id == null || id.isEmpty()) {
      throw new BerthException.InvalidArgument("a container ID is required");
    }
    return container(id).or(() -> unique(containers().stream().filter(r -> r.id().startsWith(id))
        .toList(), id));
  }

  private static <T> Optional<T> unique(List<T> matches, String prefix) {
    if (matches.size() > 1) {
      throw new BerthException.InvalidArgument("ID prefix " + prefix + " is ambiguous: give more of it");
    }
    return matches.stream().findFirst();
  }

  SandboxRecord requireSandbox(String id) {
    return resolveSandbox(id).orElseThrow(() -> sandboxNotFound(id));
  }

  ContainerRecord requireContainer(String id) {
    return resolveContainer(id).orElseThrow(() -> containerNotFound(id));
  }

  static BerthException.NotFound sandboxNotFound(String id) {
    return new BerthException.NotFound("pod sandbox " + id + " not found");
  }

  static BerthException.NotFound containerNotFound(String id) {
    return new BerthException.NotFound("container " + id + " not found");
  }

  void save(SandboxRecord r) {
    write(sandboxDir.resolve(r.id() + ".json"), r);
    sandboxes.put(r.id(), r);
  }

  void save(ContainerRecord r) {
    write(containerDir.resolve(r.id() + ".json"), r);
    containers.put(r.id(), r);
  }

  void deleteSandbox(String id) {
    sandboxes.remove(id);
    delete(sandboxDir.resolve(id + ".json"));
  }

  void deleteContainer(String id) {
    containers.remove(id);
    delete(containerDir.resolve(id + ".json"));
  }

  private static void write(Path file, Object value) {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    try {
      Files.write(tmp, JSON.writeValueAsBytes(value));
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new BerthException.Unavailable("cannot write " + file + ": " + e.getMessage(), e);
    }
  }

  private static void delete(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      throw new BerthException.Unavailable("cannot delete " + file + ": " + e.getMessage(), e);
    }
  }

  private static <T> List<T> readAll(Path dir, Class<T> type) {
    List<T> out = new ArrayList<>();
    try (var files = Files.list(dir)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".json")).toList()) {
        try {
          out.add(JSON.readValue(f.toFile(), type));
        } catch (IOException e) {
          org.slf4j.LoggerFactory.getLogger(PodRecords.class).warn("pod record {} is unreadable, ignored: {}", f,
              e.getMessage());
        }
      }
    } catch (IOException e) {
      throw new BerthException.Unavailable("cannot read " + dir + ": " + e.getMessage(), e);
    }
    return out;
  }
}

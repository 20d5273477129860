package dev.berth.engine.vm;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.engine.BerthException;
import dev.berth.engine.EngineConfig;
import dev.berth.engine.state.VmRow;
import dev.berth.engine.state.VmTable;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/** VMs as stored: {@link VmTable}'s rows read into {@link Vm} views (config JSON, directories), looked up by ID, name or prefix. */
final class VmRecords {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final EngineConfig config;
  private final VmTable table;

  VmRecords(EngineConfig config, VmTable table) {
    this.config = config;
    this.table = table;
  }

  VmTable table() {
    return table;
  }

  /** A VM by full ID, name, or unique ID prefix. */
  Vm resolve(String ref) {
    if (ref == null || ref.isBlank()) {
      throw new BerthException.InvalidArgument("no VM given: name a VM by its name or ID");
    }
    Optional<VmRow> row = table.byId(ref).or(() -> table.byName(ref));
    if (row.isEmpty() && ref.matches("[0-9a-f]+")) {
      List<VmRow> matches = table.byIdPrefix(ref);
      if (matches.size() > 1) {
        throw new BerthException.InvalidArgument("VM ID prefix " + ref + " is ambiguous; give more characters");
      }
      row = matches.stream().findFirst();
    }
    return view(row.orElseThrow(() -> new BerthException.NotFound("no such VM: " + ref)));
  }

  VmRow row(String id) {
    return table.byId(id).orElseThrow(() -> new BerthException.NotFound("no such VM: " + id));
  }

  /** The VM as recorded now. */
  Vm current(String id) {
    return view(row(id));
  }

  Vm view(VmRow row) {
    VmConfig c;
    try {
      c = JSON.readValue(row.config(), VmConfig.class);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("stored config of VM " + row.id() + " is unreadable: " + e.getMessage(), e);
    }
    return new Vm(row.id(), row.name(), row.created(), VmState.of(row.state(), row.pid()), row.accel(),
        row.startedAt(), row.stoppedAt(), c, vmDir(row.id()), runDir(row.id()));
  }

  Path vmDir(String id) {
    return config.dataRoot().resolve("vm").resolve(id);
  }

  /** Short ID: unix socket paths must stay under 108 bytes, even below a long test exec-root. */
  private Path runDir(String id) {
    return config.execRoot().resolve("vm").resolve(id.substring(0, 12));
  }

  static String toJson(VmConfig c) {
    try {
      return JSON.writeValueAsString(c);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  static String newId() {
    byte[] bytes = new byte[32];
    new SecureRandom().nextBytes(bytes);
    return HexFormat.of().formatHex(bytes);
  }
}

package dev.berth.engine.network;

import dev.berth.engine.BerthException;
import dev.berth.engine.state.NetworkTable;
import dev.berth.engine.state.NetworkTable.EndpointRow;
import dev.berth.engine.state.NetworkTable.NetworkRow;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/** Networks and endpoints as stored: the {@link NetworkTable}'s rows read into and written from records (JSON columns). */
final class NetworkRecords {
  private static final Pattern HEX = Pattern.compile("[0-9a-f]+");

  private final NetworkTable table;

  NetworkRecords(NetworkTable table) {
    this.table = table;
  }

  List<Network> all() {
    return table.all().stream().map(NetworkRecords::toNetwork).toList();
  }

  Optional<Network> byId(String id) {
    return table.byId(id).map(NetworkRecords::toNetwork);
  }

  /** By full ID, name, or unique ID prefix; 404 otherwise. */
  Network find(String nameOrId) {
    if (nameOrId == null || nameOrId.isBlank()) {
      throw new BerthException.InvalidArgument("a network name or ID is required");
    }
    Optional<NetworkRow> row = table.byId(nameOrId).or(() -> table.byName(nameOrId));
    if (row.isEmpty() && HEX.matcher(nameOrId).matches()) {
      List<NetworkRow> m = table.byIdPrefix(nameOrId);
      if (m.size() > 1) {
        throw new BerthException.InvalidArgument("network " + nameOrId + " is ambiguous (" + m.size()
            + " matches found based on ID prefix)");
      }
      row = m.stream().findFirst();
    }
    return row.map(NetworkRecords::toNetwork).orElseThrow(() -> new BerthException.NotFound("network " + nameOrId
        + " not found"));
  }

  /** The endpoint's settings as create or connect gave them. */
  static EndpointSettings settings(EndpointRow r) {
    return read(r.settingsJson(), EndpointSettings.class);
  }

  /** The endpoint's address and CNI result while attached. */
  static Optional<Attached> attached(EndpointRow r) {
    return r.attachedJson().isEmpty() ? Optional.empty() : Optional.of(read(r.attachedJson(), Attached.class));
  }

  static Network toNetwork(NetworkRow r) {
    return new Network(r.id(), r.name(), Instant.ofEpochMilli(r.created()), read(r.configJson(), NetworkConfig.class));
  }

  static String json(Object o) {
    try {
      return CniResult.JSON.writeValueAsString(o);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static <T> T read(String json, Class<T> type) {
    try {
      return CniResult.JSON.readValue(json, type);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String newId() {
    byte[] b = new byte[32];
    ThreadLocalRandom.current().nextBytes(b);
    return HexFormat.of().formatHex(b);
  }
}

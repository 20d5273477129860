package dev.berth.daemon.api.docker;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.engine.container.Healthcheck;
import dev.berth.engine.container.RestartPolicy;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The JSON of restart policies and healthchecks: HostConfig.RestartPolicy, Config.Healthcheck. */
final class SupervisionJsons {
  private SupervisionJsons() {}

  /** HostConfig.RestartPolicy of a create body; absent = "no". Checked by the engine. */
  static RestartPolicy restartPolicy(JsonNode policy) {
    if (policy == null || !policy.isObject()) {
      return RestartPolicy.NO;
    }
    return new RestartPolicy(policy.path("Name").asText(""), policy.path("MaximumRetryCount").asInt(0));
  }

  static Map<String, Object> restartPolicy(RestartPolicy p) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("Name", p.name());
    m.put("MaximumRetryCount", p.maximumRetryCount());
    return m;
  }

  /** Config.Healthcheck of a create body; null when absent (the image's applies). */
  static Healthcheck healthcheck(JsonNode h) {
    if (h == null || !h.isObject()) {
      return null;
    }
    List<String> test = new ArrayList<>();
    h.path("Test").forEach(t -> test.add(t.asText()));
    return new Healthcheck(test, h.path("Interval").asLong(0), h.path("Timeout").asLong(0),
        h.path("StartPeriod").asLong(0), h.path("StartInterval").asLong(0), h.path("Retries").asInt(0));
  }

  /** Config.Healthcheck in inspect, with only the fields that are set, as dockerd shows it. */
  static Map<String, Object> healthcheck(Healthcheck h) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("Test", h.test());
    if (h.interval() != 0) {
      m.put("Interval", h.interval());
    }
    if (h.timeout() != 0) {
      m.put("Timeout", h.timeout());
    }
    if (h.startPeriod() != 0) {
      m.put("StartPeriod", h.startPeriod());
    }
    if (h.startInterval() != 0) {
      m.put("StartInterval", h.startInterval());
    }
    if (h.retries() != 0) {
      m.put("Retries", h.retries());
    }
    return m;
  }
}

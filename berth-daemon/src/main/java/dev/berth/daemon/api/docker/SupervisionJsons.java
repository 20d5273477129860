package dev.berth.daemon.api.docker;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.engine.container.Health;
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

  /** State.Health. */
  static Map<String, Object> health(Health h) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("Status", h.status());
    m.put("FailingStreak", h.failingStreak());
    List<Map<String, Object>> log = new ArrayList<>();
    for (Health.Result r : h.log()) {
      Map<String, Object> e = new LinkedHashMap<>();
      e.put("Start", ContainerJsons.time(r.start()));
      e.put("End", ContainerJsons.time(r.end()));
      e.put("ExitCode", r.exitCode());
      e.put("Output", r.output());
      log.add(e);
    }
    m.put("Log", log);
    return m;
  }

  /** What ps's Status says of a running container's health: " (healthy)", " (health: starting)". */
  static String healthSuffix(Health h) {
    if (h == null) {
      return "";
    }
    return h.status().equals(Health.STARTING) ? " (health: starting)" : " (" + h.status() + ")";
  }

  /** The list filter {@code health=starting|healthy|unhealthy|none}. */
  static String healthFilterValue(Health h) {
    return h == null ? "none" : h.status();
  }
}

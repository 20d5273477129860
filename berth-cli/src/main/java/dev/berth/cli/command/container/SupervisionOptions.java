package dev.berth.cli.command.container;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.cli.command.CodedOptions;
import java.time.Duration;

/** The restart policy and healthcheck options of {@code run} and {@code create}, as docker's. */
public final class SupervisionOptions {
  String restart;
  String healthCmd;
  String healthInterval;
  String healthTimeout;
  String healthStartPeriod;
  String healthStartInterval;
  Integer healthRetries;
  boolean noHealthcheck;

  /** Declares these options on a command (see CodedOptions: no annotations, for start-up time). */
  void declare(CodedOptions o) {
    o.value(String.class, "<restart>", "Restart policy to apply when a container exits: no, always, unless-stopped,"
        + " on-failure[:max-retries]", v -> restart = v, "--restart");
    o.value(String.class, "<healthCmd>", "Command to run to check health",
        v -> healthCmd = v, "--health-cmd");
    o.value(String.class, "<healthInterval>", "Time between running the check (ms|s|m|h) (default 0s)",
        v -> healthInterval = v, "--health-interval");
    o.value(String.class, "<healthTimeout>", "Maximum time to allow one check to run (ms|s|m|h) (default 0s)",
        v -> healthTimeout = v, "--health-timeout");
    o.value(String.class, "<healthStartPeriod>", "Start period for the container to initialize before starting"
        + " health-retries countdown (ms|s|m|h) (default 0s)", v -> healthStartPeriod = v, "--health-start-period");
    o.value(String.class, "<healthStartInterval>", "Time between running the check during the start period"
        + " (ms|s|m|h) (default 0s)", v -> healthStartInterval = v, "--health-start-interval");
    o.value(Integer.class, "<healthRetries>", "Consecutive failures needed to report unhealthy",
        v -> healthRetries = v, "--health-retries");
    o.flag("Disable any container-specified HEALTHCHECK",
        v -> noHealthcheck = v, "--no-healthcheck");
  }

  void addTo(ObjectNode body, ObjectNode host) {
    if (restart != null && !restart.isEmpty()) {
      String[] parts = restart.split(":", -1);
      if (parts.length > 2) {
        throw new IllegalArgumentException("invalid restart policy format");
      }
      ObjectNode policy = host.putObject("RestartPolicy");
      policy.put("Name", parts[0]);
      if (parts.length == 2) {
        try {
          policy.put("MaximumRetryCount", Integer.parseInt(parts[1]));
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException("maximum retry count must be an integer");
        }
      }
    }
    boolean healthSettings = healthCmd != null || healthInterval != null || healthTimeout != null
        || healthStartPeriod != null || healthStartInterval != null || healthRetries != null;
    if (noHealthcheck) {
      if (healthSettings) {
        throw new IllegalArgumentException("--no-healthcheck conflicts with --health-* options");
      }
      body.putObject("Healthcheck").putArray("Test").add("NONE");
    } else if (healthSettings) {
      ObjectNode h = body.putObject("Healthcheck");
      if (healthCmd != null && !healthCmd.isEmpty()) {
        h.putArray("Test").add("CMD-SHELL").add(healthCmd);
      }
      h.put("Interval", nanos("--health-interval", healthInterval));
      h.put("Timeout", nanos("--health-timeout", healthTimeout));
      h.put("StartPeriod", nanos("--health-start-period", healthStartPeriod));
      h.put("StartInterval", nanos("--health-start-interval", healthStartInterval));
      if (healthRetries != null && healthRetries < 0) {
        throw new IllegalArgumentException("--health-retries cannot be negative");
      }
      h.put("Retries", healthRetries == null ? 0 : healthRetries);
    }
  }

  private static long nanos(String option, String value) {
    if (value == null) {
      return 0;
    }
    if (value.strip().startsWith("-")) {
      throw new IllegalArgumentException(option + " cannot be negative");
    }
    try {
      Duration d = TimeArgs.duration(value);
      return d.toNanos();
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("invalid argument \"" + value + "\" for \"" + option + "\" flag: "
          + e.getMessage());
    }
  }
}

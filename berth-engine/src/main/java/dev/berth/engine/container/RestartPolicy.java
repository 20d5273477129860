package dev.berth.engine.container;

import dev.berth.engine.BerthException;
import java.util.List;

/**
 * Docker's restart policy ({@code no}, {@code always}, {@code unless-stopped},
 * {@code on-failure[:N]}), as stored in a container's config. Validated here with dockerd's words.
 */
public record RestartPolicy(String name, int maximumRetryCount) {
  public static final RestartPolicy NO = new RestartPolicy("no", 0);
  private static final List<String> NAMES = List.of("no", "always", "unless-stopped", "on-failure");

  public RestartPolicy {
    name = name == null || name.isEmpty() ? "no" : name;
  }

  /** A policy a client asked for; 400 in dockerd's words when it is not one. */
  public static RestartPolicy validated(String name, int maximumRetryCount) {
    String n = name == null || name.isEmpty() ? "no" : name;
    if (!NAMES.contains(n)) {
      throw new BerthException.InvalidArgument("invalid restart policy '" + n + "'");
    }
    if (maximumRetryCount < 0) {
      throw new BerthException.InvalidArgument("maximum retry count cannot be negative");
    }
    if (maximumRetryCount > 0 && !n.equals("on-failure")) {
      throw new BerthException.InvalidArgument("maximum retry count cannot be used with restart policy '" + n + "'");
    }
    return new RestartPolicy(n, maximumRetryCount);
  }
}

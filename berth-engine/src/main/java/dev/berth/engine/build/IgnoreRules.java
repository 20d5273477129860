package dev.berth.engine.build;

import java.util.function.Predicate;

/** The context's .dockerignore as a predicate on context-relative paths. */
final class IgnoreRules {
  private IgnoreRules() {}

  static Predicate<String> from(String dockerignore) {
    return rel -> false; // replaced by the parser's DockerIgnore once it is merged
  }
}

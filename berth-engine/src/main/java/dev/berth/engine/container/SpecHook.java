package dev.berth.engine.container;

import dev.berth.engine.runtime.spec.Spec;

/**
 * A change to a starting container's OCI spec by a package that owns some containers (the pods of
 * {@code dev.berth.engine.pod}), after Berth built it and before runc sees it. It must answer
 * {@code spec} itself for the containers it does not own.
 */
@FunctionalInterface
public interface SpecHook {
  Spec apply(Container container, Spec spec);
}

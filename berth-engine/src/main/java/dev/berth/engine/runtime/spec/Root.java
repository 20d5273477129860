package dev.berth.engine.runtime.spec;

/** The root filesystem: a path absolute or relative to the bundle. */
public record Root(String path, Boolean readonly) {}

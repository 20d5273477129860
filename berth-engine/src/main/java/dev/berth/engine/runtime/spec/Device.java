package dev.berth.engine.runtime.spec;

/** A device node the runtime creates in the container's /dev. */
public record Device(String type, String path, long major, long minor, Integer fileMode, Integer uid, Integer gid) {}

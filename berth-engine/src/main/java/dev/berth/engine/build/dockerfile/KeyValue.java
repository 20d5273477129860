package dev.berth.engine.build.dockerfile;

/** One {@code key=value} of ENV or LABEL, both raw (quotes and variables unexpanded). */
public record KeyValue(String key, String value) {}

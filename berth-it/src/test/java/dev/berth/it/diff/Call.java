package dev.berth.it.diff;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One scripted API call of the differential harness: method, path and body templates
 * ({@code ${name}} is a variable: a value saved from an earlier answer of the same daemon, or a
 * fixed one such as {@code ${image}}), how to compare the answers, and what to save from them.
 */
public final class Call {
  /** How the answers' bodies are compared. */
  public enum Body {
    /** Status, JSON key sets and value types (recursively), and an error's message. */
    JSON,
    /** Each line a JSON message (progress streams): the lines' shapes and the error messages. */
    JSON_LINES,
    /** The bytes, after normalisation (IDs, names): text, logs, multiplexed streams. */
    EXACT,
    /** Only the status (and the listed headers). */
    IGNORE
  }

  final String method;
  final String path;
  String name;
  String body;
  byte[] payload;
  String contentType = "application/json";
  Body compare = Body.JSON;
  boolean unversioned;
  final List<String[]> saves = new ArrayList<>();
  final List<String> sameValues = new ArrayList<>();
  final List<String> headers = new ArrayList<>();

  private Call(String method, String path) {
    this.method = method;
    this.path = path;
    this.name = method + " " + path;
  }

  public static Call get(String path) {
    return new Call("GET", path);
  }

  public static Call head(String path) {
    return new Call("HEAD", path);
  }

  public static Call post(String path) {
    return new Call("POST", path);
  }

  public static Call put(String path) {
    return new Call("PUT", path);
  }

  public static Call delete(String path) {
    return new Call("DELETE", path);
  }

  /** A JSON body (a template). */
  public Call body(String json) {
    this.body = json;
    return this;
  }

  /** A body sent as it is (an archive). */
  public Call payload(String contentType, byte[] bytes) {
    this.contentType = contentType;
    this.payload = bytes;
    return this;
  }

  public Call named(String name) {
    this.name = name;
    return this;
  }

  public Call compare(Body how) {
    this.compare = how;
    return this;
  }

  /** Sent without the /v1.41 prefix (as clients send /_ping). */
  public Call unversioned() {
    this.unversioned = true;
    return this;
  }

  /** Saves the string at a JSON pointer of the answer as variable {@code var} (per daemon). */
  public Call save(String var, String pointer) {
    saves.add(new String[] {var, pointer});
    return this;
  }

  /** Values (JSON pointers) that must be equal, not just of the same type. */
  public Call same(String... pointers) {
    sameValues.addAll(List.of(pointers));
    return this;
  }

  /** Headers whose values must be equal. */
  public Call headers(String... names) {
    headers.addAll(List.of(names));
    return this;
  }

  String expand(String template, Map<String, String> vars) {
    if (template == null) {
      return null;
    }
    String out = template;
    for (var e : vars.entrySet()) {
      out = out.replace("${" + e.getKey() + "}", e.getValue());
    }
    if (out.contains("${")) {
      throw new IllegalStateException(name + ": unknown variable in " + out + " (known: " + vars.keySet() + ")");
    }
    return out;
  }

  @Override
  public String toString() {
    return name;
  }
}

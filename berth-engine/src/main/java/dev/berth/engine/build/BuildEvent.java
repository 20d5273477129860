package dev.berth.engine.build;

/** What a build reports as it goes; the API turns each into one JSON message. */
public sealed interface BuildEvent {

  /** One {@code "stream"} message: a line (newline included) or a chunk of a RUN's output. */
  record Stream(String text) implements BuildEvent {}

  /** The {@code "aux"} message carrying the built image's ID ({@code sha256:…}), sent before "Successfully built". */
  record Aux(String imageId) implements BuildEvent {}
}

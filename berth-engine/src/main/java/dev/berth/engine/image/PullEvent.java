package dev.berth.engine.image;

/** What a pull or push reports as it goes; the API turns these into Docker's progress messages. */
public sealed interface PullEvent {
  /** A line about the whole operation ("Pulling from library/busybox", "Digest: ..."). */
  record Status(String id, String status) implements PullEvent {}

  /** A layer's state: "Pulling fs layer", "Downloading", "Download complete", "Pull complete"... */
  record Layer(String layerId, String status, long current, long total) implements PullEvent {}
}

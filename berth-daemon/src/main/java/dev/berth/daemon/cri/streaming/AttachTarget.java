package dev.berth.daemon.cri.streaming;

/** What a CRI {@code Attach} asked for: the streams of a running container's own process. */
public record AttachTarget(String containerId, boolean tty, boolean stdin, boolean stdout, boolean stderr) {}

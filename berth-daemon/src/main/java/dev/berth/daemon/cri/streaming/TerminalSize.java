package dev.berth.daemon.cri.streaming;

/** A terminal size as the resize stream carries it ({@code {"Width":80,"Height":24}}). */
public record TerminalSize(int width, int height) {}

package dev.berth.daemon.cri.streaming;

import java.util.List;

/**
 * What a CRI {@code Exec} asked for: a command in a running container, with the streams the client
 * will open. As in kubelet, {@code tty} and {@code stderr} exclude each other (a terminal has one output).
 */
public record ExecTarget(String containerId, List<String> cmd, boolean tty, boolean stdin, boolean stdout,
    boolean stderr) {
  public ExecTarget {
    cmd = List.copyOf(cmd);
  }
}

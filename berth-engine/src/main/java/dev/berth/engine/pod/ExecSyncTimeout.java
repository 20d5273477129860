package dev.berth.engine.pod;

import dev.berth.engine.BerthException;
import java.time.Duration;

/** ExecSync's command outlived its timeout; it was ended (CRI answers DeadlineExceeded). */
public final class ExecSyncTimeout extends BerthException.Failed {
  public ExecSyncTimeout(String containerId, Duration timeout) {
    super("command in container " + containerId + " timed out after " + timeout.toSeconds() + "s and was ended");
  }
}

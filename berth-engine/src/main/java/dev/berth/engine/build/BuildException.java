package dev.berth.engine.build;

import dev.berth.engine.BerthException;

/**
 * A build failed. The message is Docker's error text (the API puts it into the stream's
 * {@code error}/{@code errorDetail}), e.g. "The command '/bin/sh -c false' returned a non-zero code: 1".
 */
public final class BuildException extends BerthException.Failed {
  private final int code;

  public BuildException(String message) {
    this(message, 1, null);
  }

  public BuildException(String message, int code, Throwable cause) {
    super(message, cause);
    this.code = code;
  }

  /** The failing RUN's exit code (as errorDetail's {@code code}); 1 for other failures. */
  public int code() {
    return code;
  }
}

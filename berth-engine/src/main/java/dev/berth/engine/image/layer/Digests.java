package dev.berth.engine.image.layer;

import dev.berth.engine.BerthException;
import java.util.regex.Pattern;

/** Checks "sha256:&lt;64 hex&gt;" strings; a chain ID becomes a directory name, so it must be strict. */
final class Digests {
  private static final Pattern SHA256 = Pattern.compile("sha256:[0-9a-f]{64}");

  private Digests() {}

  static String requireSha256(String digest, String what) {
    if (digest == null || !SHA256.matcher(digest).matches()) {
      throw new BerthException.InvalidArgument(
          what + " '" + digest + "' is not a sha256 digest; expected sha256: and 64 lowercase hex digits");
    }
    return digest;
  }

  static String hex(String digest) {
    return digest.substring("sha256:".length());
  }
}

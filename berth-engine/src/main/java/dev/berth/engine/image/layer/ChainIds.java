package dev.berth.engine.image.layer;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * Chain IDs as the OCI image spec defines them: ChainID(L0) = DiffID(L0), ChainID(Ln) =
 * sha256(ChainID(Ln-1) + " " + DiffID(Ln)). A chain ID names a layer together with everything
 * under it, so equal chain IDs can share one unpacked directory.
 */
public final class ChainIds {
  private ChainIds() {}

  /** The chain ID of a layer whose parent chain is {@code parentChainId} (null for a base layer). */
  public static String next(String parentChainId, String diffId) {
    Digests.requireSha256(diffId, "diff ID");
    if (parentChainId == null) {
      return diffId;
    }
    Digests.requireSha256(parentChainId, "parent chain ID");
    try {
      byte[] hash = MessageDigest.getInstance("SHA-256")
          .digest((parentChainId + " " + diffId).getBytes(StandardCharsets.US_ASCII));
      return "sha256:" + HexFormat.of().formatHex(hash);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  /** The chain ID of the top layer of {@code diffIds} (bottom layer first). */
  public static String of(List<String> diffIds) {
    if (diffIds.isEmpty()) {
      throw new IllegalArgumentException("a chain needs at least one diff ID");
    }
    String chain = null;
    for (String diffId : diffIds) {
      chain = next(chain, diffId);
    }
    return chain;
  }
}

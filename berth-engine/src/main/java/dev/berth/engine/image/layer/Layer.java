package dev.berth.engine.image.layer;

import java.nio.file.Path;

/**
 * One unpacked layer in the store.
 *
 * @param chainId names this layer together with all layers under it
 * @param diffId sha256 of this layer's uncompressed tar
 * @param parentChainId the chain ID of the layer below, or null for a base layer
 * @param size bytes of the uncompressed tar
 * @param diffDir the unpacked directory, ready to be an overlayfs lowerdir
 */
public record Layer(String chainId, String diffId, String parentChainId, long size, Path diffDir) {}

/**
 * Blobs by digest ({@link dev.berth.engine.content.ContentStore}): verified, fsynced and renamed
 * into place, so a present blob is always whole. Knows nothing of images or registries.
 */
package dev.berth.engine.content;

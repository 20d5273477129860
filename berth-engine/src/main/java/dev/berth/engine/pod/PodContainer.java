package dev.berth.engine.pod;

import java.time.Instant;
import java.util.Map;

/**
 * A pod container as ListContainers shows it.
 *
 * @param image the image as the spec named it
 * @param imageRef the image's ID (sha256:…) it runs
 */
public record PodContainer(String id, String sandboxId, ContainerMetadata metadata, String image, String imageRef,
    PodContainerState state, Instant createdAt, Map<String, String> labels, Map<String, String> annotations) {
}

package dev.berth.engine.container;

/**
 * What {@code POST /containers/{id}/update} asks to change; null leaves a value as it is (Docker's
 * update treats 0 and "" the same way; the API layer maps them to null).
 *
 * @param pidsLimit 0 or -1 = unlimited
 * @param kernelMemory accepted with dockerd's deprecation warning, not applied (no kernel of today limits it)
 */
public record ContainerUpdate(Long memory, Long memorySwap, Long memoryReservation, Long kernelMemory, Long nanoCpus,
    Long cpuShares, Long cpuPeriod, Long cpuQuota, String cpusetCpus, String cpusetMems, Long pidsLimit,
    Long blkioWeight, RestartPolicy restartPolicy) {}

package dev.berth.engine.bench;

/**
 * What the isolation looks like from inside a running instance, read there (not assumed).
 *
 * @param kernel {@code uname -r} inside
 * @param ownKernel whether that differs from the host's kernel (its own kernel, not the host's)
 * @param seccomp the {@code Seccomp:} field of /proc/self/status (0 off, 1 strict, 2 filter)
 * @param noNewPrivs the {@code NoNewPrivs:} field
 * @param capEff effective capabilities (hex, /proc/self/status CapEff)
 * @param capBnd bounding set (CapBnd)
 * @param capEffCount how many capabilities CapEff holds
 * @param uidMap /proc/self/uid_map, one line; {@code 0 0 4294967295} means no user namespace
 * @param userNamespace whether root inside maps to a non-root host uid
 * @param kallsymsLines lines of /proc/kallsyms readable inside
 * @param kallsymsAddresses of those, how many show a non-zero address (kernel layout exposed)
 * @param procSysWritable whether /proc/sys is writable inside
 * @param sysWritable whether /sys is writable inside
 * @param accelerator {@code none} (a process on the host's CPU), {@code kvm} or {@code tcg}
 * @param acceleratorMeaning what the accelerator means for the numbers
 */
public record IsolationFacts(
    String kernel,
    boolean ownKernel,
    int seccomp,
    int noNewPrivs,
    String capEff,
    String capBnd,
    int capEffCount,
    String uidMap,
    boolean userNamespace,
    int kallsymsLines,
    int kallsymsAddresses,
    boolean procSysWritable,
    boolean sysWritable,
    String accelerator,
    String acceleratorMeaning) {}

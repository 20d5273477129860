/**
 * Layers: unpacking OCI/Docker layer blobs into overlayfs-ready directories, and the store of
 * unpacked layers keyed by chain ID.
 *
 * <p>Decisions, and why:
 *
 * <ul>
 *   <li>Each layer is unpacked alone, in overlay form (whiteouts become 0/0 char devices, opaque
 *       markers become {@code trusted.overlay.opaque=y}), as containerd's overlay snapshotter
 *       does; so a hardlink to a file of a lower layer is refused, and layers of one image can be
 *       unpacked in parallel.
 *   <li>Absolute entry names are taken relative to the layer root (tar's own behaviour);
 *       {@code ..} is refused, never resolved.
 *   <li>An entry whose parent is a symlink is refused rather than resolved inside the root
 *       (containerd resolves it): tools that write layers never produce one, and refusing needs
 *       no symlink resolution code at all.
 *   <li>Without root: ownership is not applied and device nodes are skipped with a warning, as
 *       Docker and containerd do rootless; whiteouts still work (Linux 5.8+); opaque dirs fail
 *       with {@link dev.berth.engine.BerthException.Unavailable}.
 *   <li>{@code trusted.overlay.*} xattrs are never taken from a layer: they steer overlayfs.
 *   <li>Refusals of layer content are {@link dev.berth.engine.BerthException.InvalidArgument};
 *       host I/O failures stay {@link java.io.IOException}s.
 * </ul>
 */
package dev.berth.engine.image.layer;

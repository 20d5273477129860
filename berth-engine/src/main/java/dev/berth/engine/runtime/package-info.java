/**
 * The low-level runtime layer: OCI spec building ({@link dev.berth.engine.runtime.SpecBuilder}),
 * the OCI runtime binaries ({@link dev.berth.engine.runtime.OciRuntime}, probed by
 * {@link dev.berth.engine.runtime.RuntimeProbe}) and conmon supervision
 * ({@link dev.berth.engine.runtime.Conmon}, {@link dev.berth.engine.runtime.ContainerProcess}).
 * Knows nothing of images, state or the API.
 */
package dev.berth.engine.runtime;

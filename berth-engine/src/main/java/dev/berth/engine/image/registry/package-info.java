/**
 * Talking to registries (OCI distribution API): {@link
 * dev.berth.engine.image.registry.RegistryClient} fetches manifests and blobs into the content
 * store and pushes them; {@link dev.berth.engine.image.registry.Credentials} keeps logins in
 * Docker's config.json. Depends on {@code image} (references, manifest records) and {@code
 * content}; nothing here unpacks layers or records images.
 */
package dev.berth.engine.image.registry;

/**
 * Talking to registries (OCI distribution API): {@link
 * dev.berth.engine.image.registry.RegistryClient} fetches manifests and blobs into the content
 * store and pushes them. Logins are kept by the CLI (Docker's config.json) and arrive per
 * request as credentials. Depends on {@code image} (references, manifest records) and {@code
 * content}; nothing here unpacks layers or records images.
 */
package dev.berth.engine.image.registry;

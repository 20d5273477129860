/**
 * The OCI runtime spec ({@code config.json}, runtime-spec 1.0.2 as runc 1.1 reads it) as plain
 * records. Field names are the spec's; null fields are left out of the JSON (see {@link SpecJson}).
 */
package dev.berth.engine.runtime.spec;

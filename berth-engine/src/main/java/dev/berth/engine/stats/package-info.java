/** Resource usage of containers read from their cgroups (v1, v2, hybrid) for {@code docker stats}. */
package dev.berth.engine.stats;

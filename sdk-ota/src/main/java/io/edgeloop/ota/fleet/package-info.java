/**
 * The fleet simulator: thousands of device agents of mixed variants with injected failures, running a rollout
 * end to end in one process, deterministic for a seed.
 */
package io.edgeloop.ota.fleet;

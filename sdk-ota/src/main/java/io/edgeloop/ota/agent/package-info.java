/**
 * The device agent: verifies bundles, stages the device's artifact into the inactive A/B slot, runs the golden
 * vectors on the device's runtime, switches atomically, health-checks, rolls back, and reports status.
 */
package io.edgeloop.ota.agent;

/**
 * Staged rollouts: variant-stratified waves (canary, then growing), per-wave success and failure thresholds,
 * silent devices counted as failures, pause / resume / abort, automatic halt, and a shadow-agreement gate.
 */
package io.edgeloop.ota.rollout;

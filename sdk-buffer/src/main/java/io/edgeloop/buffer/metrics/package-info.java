/**
 * Snapshots of the buffer's health: records and bytes buffered, oldest unsent age, bytes at risk, records dropped
 * by policy, corrupt frames skipped and sync latency.
 */
package io.edgeloop.buffer.metrics;

/**
 * Durability and disk-budget policies of the buffer: when appends are synced
 * ({@link io.edgeloop.buffer.policy.Durability}) and what happens per stream when the disk budget is full or
 * records grow too old ({@link io.edgeloop.buffer.policy.StreamPolicy}).
 */
package io.edgeloop.buffer.policy;

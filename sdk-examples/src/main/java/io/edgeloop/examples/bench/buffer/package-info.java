/**
 * The harness behind {@code edgeloop bench buffer}: the durable buffer against Square Tape and raw
 * {@code FileChannel} appends at the same sync cadences, and the reopen time of a large buffer after a kill.
 */
package io.edgeloop.examples.bench.buffer;

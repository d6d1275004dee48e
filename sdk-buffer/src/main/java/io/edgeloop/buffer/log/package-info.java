/**
 * The on-disk log: segment files, the frame format, recovery and the loss report. The format is documented in
 * {@code docs/formats/buffer.md}. Most users need only {@link io.edgeloop.buffer.log.LossReport} from here; the
 * rest is the engine behind {@link io.edgeloop.buffer.DurableBuffer}.
 */
package io.edgeloop.buffer.log;

/**
 * How the buffer's components log conditions that repeat: {@link io.edgeloop.buffer.logging.WarningLimiter}
 * (one WARN line per period, stack traces at DEBUG). Not exported: internal to sdk-buffer.
 */
package io.edgeloop.buffer.logging;

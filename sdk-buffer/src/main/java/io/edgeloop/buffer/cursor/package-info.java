/**
 * Named consumer cursors: each transport reads through its own cursor, and a cursor advances (persisted
 * atomically) only after the transport acknowledged the records, giving at-least-once delivery.
 */
package io.edgeloop.buffer.cursor;

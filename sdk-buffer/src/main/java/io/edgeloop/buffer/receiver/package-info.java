/**
 * Receivers for batches sent by Edgeloop transports: {@link io.edgeloop.buffer.receiver.IngestServer}, a small
 * HTTP ingest endpoint that drops duplicates by idempotency key, {@link io.edgeloop.buffer.receiver.Deduplicator}
 * and {@link io.edgeloop.buffer.receiver.DropDirectoryReader} for file-drop directories.
 */
package io.edgeloop.buffer.receiver;

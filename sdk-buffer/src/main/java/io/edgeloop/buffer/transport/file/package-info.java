/**
 * The {@code file-drop} transport: each batch becomes one file in a directory (a USB stick, a sneakernet
 * drop), written to a temporary name, synced and renamed atomically.
 */
package io.edgeloop.buffer.transport.file;

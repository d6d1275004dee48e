/**
 * Whole-file replacement for the files the OTA module writes (bundles, trust files, device state): each writer
 * gets a temporary file of its own, locked until it is renamed, and leftovers of killed writers are deleted only
 * when no live writer holds them; a stored file is opened for reading only as a regular file, never waiting on a
 * FIFO ({@link io.edgeloop.ota.file.RegularFileChannel}). Not exported from the module: an implementation detail of
 * the exported packages.
 */
package io.edgeloop.ota.file;

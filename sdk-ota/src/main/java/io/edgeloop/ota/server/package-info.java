/**
 * Serving bundles: the channel store on disk (shared by the {@code directory} deployer and the update server) and
 * the HTTP update server devices poll, with resumable downloads (HTTP Range).
 */
package io.edgeloop.ota.server;

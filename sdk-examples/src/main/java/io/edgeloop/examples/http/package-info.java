/**
 * How the programs in this artifact (the {@code edgeloop} CLI, the example apps) set up the JDK's
 * {@code com.sun.net.httpserver} server that sdk-buffer's {@code IngestServer} and sdk-ota's {@code UpdateServer} run
 * on.
 */
package io.edgeloop.examples.http;

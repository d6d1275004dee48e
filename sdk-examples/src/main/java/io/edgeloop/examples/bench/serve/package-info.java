/**
 * The harness behind {@code edgeloop bench serve}: device polls of an update server ({@code bundle serve}) with
 * TCP_NODELAY on and off, side by side in one run.
 */
package io.edgeloop.examples.bench.serve;

/**
 * The harness behind {@code edgeloop bench drain}: one buffer drained over {@code http}, {@code mqtt} and
 * {@code relay} to loopback receivers, side by side in one run.
 */
package io.edgeloop.examples.bench.drain;

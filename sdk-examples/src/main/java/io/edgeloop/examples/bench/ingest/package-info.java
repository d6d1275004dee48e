/**
 * The fleet ingestion benchmark behind {@code edgeloop bench ingest}: simulated devices fill their own durable
 * buffers, a gateway's pool of forwarders drains them through one shared Kafka transport, consumers read the
 * records back through the {@code kafka} sensor source and check that nothing was lost, duplicated or reordered,
 * and Kafka's own producer-perf-test runs on the same broker as the baseline.
 */
package io.edgeloop.examples.bench.ingest;

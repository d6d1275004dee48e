/**
 * A local single-node Kafka broker in KRaft mode, run as a child JVM, for tests, benchmarks and trying things
 * out: {@link io.edgeloop.transport.kafka.broker.LocalKafkaBroker}. Needs {@code org.apache.kafka:kafka_2.13} on
 * the class path it is given; this module does not depend on it.
 */
package io.edgeloop.transport.kafka.broker;

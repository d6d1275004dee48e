/**
 * Consuming ingested records from Kafka: {@link io.edgeloop.transport.kafka.ingest.KafkaSensorSource} and its
 * bounded-memory {@link io.edgeloop.transport.kafka.ingest.DuplicateFilter}.
 */
package io.edgeloop.transport.kafka.ingest;

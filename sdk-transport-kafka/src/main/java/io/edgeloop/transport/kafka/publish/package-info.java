/**
 * Publishing buffer batches to Kafka: {@link io.edgeloop.transport.kafka.publish.KafkaTransport}.
 */
package io.edgeloop.transport.kafka.publish;

/**
 * Edgeloop over Apache Kafka: the endpoint URI ({@link io.edgeloop.transport.kafka.KafkaEndpoint}) and the record
 * layout shared by producer and consumer ({@link io.edgeloop.transport.kafka.KafkaHeaders}).
 */
package io.edgeloop.transport.kafka;

/**
 * Edgeloop's Kafka transport and sensor source. The provider package is not exported; the component classes
 * are, for gateways that share one transport among many forwarders and for readers of the record layout.
 */
@SuppressWarnings({"requires-automatic", "requires-transitive-automatic"})
module io.edgeloop.transport.kafka {
    requires transitive io.edgeloop.api;
    requires transitive kafka.clients;
    requires org.slf4j;

    exports io.edgeloop.transport.kafka;
    exports io.edgeloop.transport.kafka.broker;
    exports io.edgeloop.transport.kafka.ingest;
    exports io.edgeloop.transport.kafka.publish;

    provides io.edgeloop.api.transport.TransportProvider
            with io.edgeloop.transport.kafka.provider.KafkaTransportProvider;
    provides io.edgeloop.api.source.SensorSourceProvider
            with io.edgeloop.transport.kafka.provider.KafkaSensorSourceProvider;
}

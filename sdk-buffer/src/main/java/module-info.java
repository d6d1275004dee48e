/**
 * Edgeloop durable store-and-forward buffer, forwarder, transports, gateway relay and the {@code csv-replay}
 * sensor source: the segmented log, named consumer cursors, durability and disk-budget policies, metrics.
 *
 * <p>Transports are reached through {@link io.edgeloop.api.spi.ProviderLoader} by name ({@code file-drop},
 * {@code http}, {@code mqtt}, {@code relay}), and so is the sensor source ({@code csv-replay}); their packages are
 * not exported.
 */
module io.edgeloop.buffer {
    requires transitive io.edgeloop.api;
    requires org.slf4j;
    requires org.apache.commons.compress;
    requires java.net.http;
    requires jdk.httpserver;

    exports io.edgeloop.buffer;
    exports io.edgeloop.buffer.cursor;
    exports io.edgeloop.buffer.forward;
    exports io.edgeloop.buffer.log;
    exports io.edgeloop.buffer.metrics;
    exports io.edgeloop.buffer.policy;
    exports io.edgeloop.buffer.wire;
    exports io.edgeloop.buffer.receiver;
    exports io.edgeloop.buffer.relay;

    provides io.edgeloop.api.transport.TransportProvider with
            io.edgeloop.buffer.transport.file.FileDropTransportProvider,
            io.edgeloop.buffer.transport.http.HttpTransportProvider,
            io.edgeloop.buffer.transport.mqtt.MqttTransportProvider,
            io.edgeloop.buffer.transport.relay.RelayTransportProvider;
    provides io.edgeloop.api.source.SensorSourceProvider with
            io.edgeloop.buffer.source.csv.CsvReplaySourceProvider;
}

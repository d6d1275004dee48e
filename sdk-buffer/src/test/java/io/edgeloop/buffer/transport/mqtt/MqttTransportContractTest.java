package io.edgeloop.buffer.transport.mqtt;

import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.api.transport.Envelope;
import io.edgeloop.api.transport.TransportProvider;
import io.edgeloop.tck.TcpFaultProxy;
import io.edgeloop.tck.TransportContractTest;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * The transport contract against a real mosquitto broker on loopback, with a Paho QoS 1 subscriber as receiver; the
 * transport reaches the broker through a proxy the kit can stop and pause (the subscriber connects directly).
 */
class MqttTransportContractTest extends TransportContractTest {
    static MosquittoBroker broker;
    static MqttCollector collector;
    @TempDir
    static Path dir;

    @BeforeAll
    static void startBroker() throws Exception {
        broker = MosquittoBroker.start(dir, false);
        collector = new MqttCollector(broker.pahoUri(), "edgeloop/contract", false);
    }

    @AfterAll
    static void stopBroker() throws Exception {
        collector.close();
        broker.close();
    }

    TcpFaultProxy proxy;

    @BeforeEach
    void startProxy() throws IOException {
        proxy = TcpFaultProxy.forward(broker.port());
    }

    @AfterEach
    void stopProxy() {
        proxy.close();
    }

    @Override
    protected TransportProvider provider() {
        return new MqttTransportProvider();
    }

    @Override
    protected ComponentConfig config() {
        return ComponentConfig.of(Map.of("uri", "mqtt://127.0.0.1:" + proxy.port() + "/edgeloop/contract", "compression", "lz4",
                // the transport's own limit ends a send the paused broker never acknowledges (default 30 s,
                // the kit's whole bound): the kit then sees the exception instead of waiting out its bound
                "publish-timeout", "10s"));
    }

    @Override
    protected List<Envelope> received() throws Exception {
        collector.sync();
        if (!collector.problems().isEmpty()) {
            throw new AssertionError("undecodable messages: " + collector.problems());
        }
        return collector.envelopes();
    }

    @Override
    protected ComponentConfig unreachableConfig() {
        return ComponentConfig.of(Map.of("uri", "mqtt://127.0.0.1:9/edgeloop/contract", "connect-timeout", "2s"));
    }

    @Override
    protected TcpFaultProxy faultProxy() {
        return proxy;
    }
}

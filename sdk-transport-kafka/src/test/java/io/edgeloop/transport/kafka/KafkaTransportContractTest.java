package io.edgeloop.transport.kafka;

import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.api.transport.Envelope;
import io.edgeloop.api.transport.TransportProvider;
import io.edgeloop.tck.TransportContractTest;
import io.edgeloop.transport.kafka.provider.KafkaTransportProvider;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;

/**
 * The sdk-tck transport contract against a real single-node KRaft broker on loopback. An outage stops the broker
 * process and starts it again on the same port; a silent receiver is the broker process frozen with SIGSTOP (its
 * port and connections stay open, nothing is acknowledged) until SIGCONT.
 */
class KafkaTransportContractTest extends TransportContractTest {
    private static final String TOPIC = "tck-transport";
    private static int closedPort;

    @BeforeAll
    static void startBroker() throws IOException {
        SharedBroker.get().createTopic(TOPIC, 3);
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
    }

    @Override
    protected TransportProvider provider() {
        return new KafkaTransportProvider();
    }

    @Override
    protected ComponentConfig config() {
        return ComponentConfig.of(Map.of("uri", SharedBroker.get().uri(TOPIC), "timeout", "20s"));
    }

    @Override
    protected List<Envelope> received() {
        return SharedBroker.envelopes(TOPIC);
    }

    @Override
    protected ComponentConfig unreachableConfig() {
        return ComponentConfig.of(Map.of("uri", "kafka://127.0.0.1:" + closedPort + "/" + TOPIC, "timeout", "3s"));
    }

    @Override
    protected void stopReceiver() throws IOException {
        SharedBroker.get().stop();
    }

    @Override
    protected void startReceiver() {
        SharedBroker.get(); // starts the stopped broker again, same port and data
    }

    @Override
    protected void pauseReceiver() throws IOException {
        SharedBroker.pause();
    }

    @Override
    protected void resumeReceiver() throws IOException {
        SharedBroker.resume();
    }
}

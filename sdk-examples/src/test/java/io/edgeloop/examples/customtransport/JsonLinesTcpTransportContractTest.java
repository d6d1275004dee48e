package io.edgeloop.examples.customtransport;

import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.api.transport.Envelope;
import io.edgeloop.api.transport.TransportProvider;
import io.edgeloop.tck.TransportContractTest;
import java.net.ServerSocket;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The sdk-tck transport contract against a real receiver on loopback. */
class JsonLinesTcpTransportContractTest extends TransportContractTest {
    private static JsonLinesTcpReceiver receiver;
    private static int closedPort;

    @BeforeAll
    static void startReceiver() throws Exception {
        receiver = JsonLinesTcpReceiver.start(0, null);
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort(); // free again once closed: nothing listens there
        }
    }

    @AfterAll
    static void stopReceiver() throws Exception {
        receiver.close();
    }

    @Override
    protected TransportProvider provider() {
        return new JsonLinesTcpTransportProvider();
    }

    @Override
    protected ComponentConfig config() {
        return ComponentConfig.of(Map.of("port", Integer.toString(receiver.port())));
    }

    @Override
    protected List<Envelope> received() {
        return receiver.received();
    }

    @Override
    protected ComponentConfig unreachableConfig() {
        return ComponentConfig.of(Map.of("port", Integer.toString(closedPort), "timeout", "2s"));
    }
}

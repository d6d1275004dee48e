package io.edgeloop.examples.customtransport;

import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.api.transport.Envelope;
import io.edgeloop.api.transport.TransportProvider;
import io.edgeloop.tck.TcpFaultProxy;
import io.edgeloop.tck.TransportContractTest;
import java.io.IOException;
import java.net.ServerSocket;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/** The sdk-tck transport contract against a real receiver on loopback, behind a proxy the kit can stop and pause. */
class JsonLinesTcpTransportContractTest extends TransportContractTest {
    private static JsonLinesTcpReceiver receiver;
    private static int closedPort;

    @BeforeAll
    static void startServer() throws Exception {
        receiver = JsonLinesTcpReceiver.start(0, null);
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort(); // free again once closed: nothing listens there
        }
    }

    @AfterAll
    static void stopServer() throws Exception {
        receiver.close();
    }

    private TcpFaultProxy proxy;

    @BeforeEach
    void startProxy() throws IOException {
        proxy = TcpFaultProxy.forward(receiver.port());
    }

    @AfterEach
    void stopProxy() {
        proxy.close();
    }

    @Override
    protected TransportProvider provider() {
        return new JsonLinesTcpTransportProvider();
    }

    @Override
    protected ComponentConfig config() {
        return ComponentConfig.of(Map.of("port", Integer.toString(proxy.port())));
    }

    @Override
    protected List<Envelope> received() {
        return receiver.received();
    }

    @Override
    protected ComponentConfig unreachableConfig() {
        return ComponentConfig.of(Map.of("port", Integer.toString(closedPort), "timeout", "2s"));
    }

    @Override
    protected TcpFaultProxy faultProxy() {
        return proxy;
    }
}

package io.edgeloop.buffer.transport.relay;

import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.api.transport.Envelope;
import io.edgeloop.api.transport.TransportProvider;
import io.edgeloop.buffer.relay.RelayServer;
import io.edgeloop.tck.TcpFaultProxy;
import io.edgeloop.tck.TransportContractTest;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** The transport contract against a real relay server, reached through a proxy the kit can stop and pause. */
class RelayTransportContractTest extends TransportContractTest {
    final List<Envelope> stored = new CopyOnWriteArrayList<>();
    RelayServer server;
    TcpFaultProxy proxy;

    @BeforeEach
    void start() throws Exception {
        server = RelayServer.builder().sink(stored::addAll).start();
        proxy = TcpFaultProxy.forward(server.port());
    }

    @AfterEach
    void stop() {
        proxy.close();
        server.close();
    }

    @Override
    protected TransportProvider provider() {
        return new RelayTransportProvider();
    }

    @Override
    protected ComponentConfig config() {
        return ComponentConfig.of(Map.of("uri", "relay://127.0.0.1:" + proxy.port(), "compression", "gzip",
                // a paused gateway then fails the send after 10 s (default 30 s, the kit's whole bound)
                "ack-timeout", "10s"));
    }

    @Override
    protected List<Envelope> received() {
        return stored;
    }

    @Override
    protected ComponentConfig unreachableConfig() {
        return ComponentConfig.of(Map.of("uri", "relay://127.0.0.1:9", "connect-timeout", "2s"));
    }

    @Override
    protected TcpFaultProxy faultProxy() {
        return proxy;
    }
}

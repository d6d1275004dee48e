package io.edgeloop.buffer.transport.http;

import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.api.transport.Envelope;
import io.edgeloop.api.transport.TransportProvider;
import io.edgeloop.buffer.receiver.IngestServer;
import io.edgeloop.tck.TcpFaultProxy;
import io.edgeloop.tck.TransportContractTest;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** The transport contract against a real ingest server, reached through a proxy the kit can stop and pause. */
class HttpTransportContractTest extends TransportContractTest {
    IngestServer server;
    TcpFaultProxy proxy;

    @BeforeEach
    void start() throws Exception {
        server = IngestServer.builder().start();
        proxy = TcpFaultProxy.forward(server.port());
    }

    @AfterEach
    void stop() {
        proxy.close();
        server.close();
    }

    @Override
    protected TransportProvider provider() {
        return new HttpTransportProvider();
    }

    @Override
    protected ComponentConfig config() {
        return ComponentConfig.of(Map.of("uri", server.uri().toString().replace(":" + server.port() + "/", ":" + proxy.port() + "/"),
                "compression", "gzip",
                // a paused receiver then fails the send after 10 s (default 30 s, the kit's whole bound)
                "request-timeout", "10s"));
    }

    @Override
    protected List<Envelope> received() {
        return server.accepted();
    }

    @Override
    protected ComponentConfig unreachableConfig() {
        return ComponentConfig.of(Map.of("uri", "http://127.0.0.1:9/ingest", "connect-timeout", "2s"));
    }

    @Override
    protected TcpFaultProxy faultProxy() {
        return proxy;
    }

    @Override
    protected boolean isReceiverThread(Thread thread) {
        // the in-process IngestServer's request pool, started on demand: the receiver's, not the transport's
        return thread.getName().startsWith("edgeloop-ingest");
    }
}

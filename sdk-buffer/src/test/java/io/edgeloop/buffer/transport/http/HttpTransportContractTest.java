package io.edgeloop.buffer.transport.http;

import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.api.transport.Envelope;
import io.edgeloop.api.transport.TransportProvider;
import io.edgeloop.buffer.receiver.IngestServer;
import io.edgeloop.tck.TransportContractTest;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

class HttpTransportContractTest extends TransportContractTest {
    IngestServer server;

    @BeforeEach
    void start() throws Exception {
        server = IngestServer.builder().start();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Override
    protected TransportProvider provider() {
        return new HttpTransportProvider();
    }

    @Override
    protected ComponentConfig config() {
        return ComponentConfig.of(Map.of("uri", server.uri().toString(), "compression", "gzip"));
    }

    @Override
    protected List<Envelope> received() {
        return server.accepted();
    }

    @Override
    protected ComponentConfig unreachableConfig() {
        return ComponentConfig.of(Map.of("uri", "http://127.0.0.1:9/ingest", "connect-timeout", "2s"));
    }
}

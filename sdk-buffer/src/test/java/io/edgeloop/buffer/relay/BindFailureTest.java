package io.edgeloop.buffer.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.buffer.receiver.IngestServer;
import java.net.BindException;
import java.net.InetAddress;
import java.net.ServerSocket;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A port in use: {@code IngestServer} and {@code RelayServer} throw a {@link BindException} that names the address
 * (the JDK's says only "Address already in use"), keeping the type and the JDK's exception as the cause. A real
 * occupied loopback port.
 */
class BindFailureTest {
    @Test
    @DisplayName("IngestServer and RelayServer name host:port in the BindException and keep its cause")
    void bindExceptionNamesTheAddress() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            int port = taken.getLocalPort();
            BindException ingest = assertThrows(BindException.class,
                    () -> IngestServer.builder().host("127.0.0.1").port(port).start());
            BindException relay = assertThrows(BindException.class,
                    () -> RelayServer.builder().host("127.0.0.1").port(port).sink(es -> { }).start());
            for (BindException e : new BindException[] {ingest, relay}) {
                assertTrue(e.getMessage().contains("127.0.0.1:" + port), e.getMessage());
                assertTrue(e.getMessage().contains("Address already in use"), e.getMessage());
                assertTrue(e.getCause() instanceof BindException, String.valueOf(e.getCause()));
            }
            // the refused server released what it opened: the port is still the first holder's, and a server on a
            // free port starts as before
            try (RelayServer ok = RelayServer.builder().host("127.0.0.1").port(0).sink(es -> { }).start()) {
                assertTrue(ok.port() > 0);
            }
            assertEquals(port, taken.getLocalPort());
        }
    }
}

package io.edgeloop.tck;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class LoopbackPortsTest {
    @Test
    @DisplayName("a restartable port lies below the ephemeral range and can be bound, released and bound again")
    void restartablePortIsBelowTheEphemeralRange() throws Exception {
        int low = LoopbackPorts.ephemeralLow();
        for (int i = 0; i < 20; i++) {
            int port = LoopbackPorts.restartable();
            assertTrue(port >= 10000 && port < low, "port " + port + " is not below the ephemeral range " + low);
            for (int round = 0; round < 2; round++) {
                try (ServerSocket s = new ServerSocket()) {
                    s.setReuseAddress(true);
                    s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1);
                }
            }
        }
    }

    @Test
    @DisplayName("TcpFaultProxy listens on a restartable port and keeps it across stop and start")
    void proxyKeepsARestartablePort() throws Exception {
        try (ServerSocket target = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                TcpFaultProxy proxy = TcpFaultProxy.forward(target.getLocalPort())) {
            int port = proxy.port();
            assertTrue(port < LoopbackPorts.ephemeralLow(), "proxy port " + port);
            proxy.stop();
            proxy.start();
            assertTrue(proxy.port() == port, "same port after a restart");
        }
    }
}

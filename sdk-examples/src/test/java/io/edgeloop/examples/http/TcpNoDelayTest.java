package io.edgeloop.examples.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.edgeloop.cli.Edgeloop;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The edgeloop CLI turns TCP_NODELAY on for the JDK HTTP servers it runs, and an explicit setting wins. What the
 * property does to latency is measured by {@code edgeloop bench serve}, not here.
 */
@DisplayName("TCP_NODELAY for the JDK HttpServer")
class TcpNoDelayTest {
    @Test
    @DisplayName("loading the CLI sets sun.net.httpserver.nodelay=true before any command can start a server")
    void theCliSetsItBeforeAnyCommand() {
        String before = System.clearProperty(TcpNoDelay.PROPERTY);
        try {
            Edgeloop.commandLine();
            assertEquals("true", System.getProperty(TcpNoDelay.PROPERTY));
        } finally {
            restore(before);
        }
    }

    @Test
    @DisplayName("an explicit -Dsun.net.httpserver.nodelay=false is left as it is")
    void anExplicitSettingWins() {
        String before = System.getProperty(TcpNoDelay.PROPERTY);
        try {
            System.setProperty(TcpNoDelay.PROPERTY, "false");
            assertFalse(TcpNoDelay.enable());
            assertEquals("false", System.getProperty(TcpNoDelay.PROPERTY));
        } finally {
            restore(before);
        }
    }

    private static void restore(String value) {
        if (value == null) {
            System.clearProperty(TcpNoDelay.PROPERTY);
        } else {
            System.setProperty(TcpNoDelay.PROPERTY, value);
        }
    }
}

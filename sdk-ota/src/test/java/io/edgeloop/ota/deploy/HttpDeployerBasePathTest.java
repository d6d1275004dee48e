package io.edgeloop.ota.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.api.deploy.Deployer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The deployer's URL may carry a base path (a server behind a reverse proxy at /ota): requests stay under it. */
class HttpDeployerBasePathTest {
    @ParameterizedTest(name = "base path '{0}'")
    @CsvSource({"/ota,/ota/channels/stable/latest", "/ota/,/ota/channels/stable/latest",
        "'',/channels/stable/latest", "/,/channels/stable/latest", "/a/b,/a/b/channels/stable/latest"})
    @DisplayName("a poll goes to the base path's channels, with or without the base path's trailing slash")
    void keepsTheBasePath(String basePath, String expected) throws Exception {
        List<String> requested = new CopyOnWriteArrayList<>();
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            requested.add(exchange.getRequestURI().getRawPath());
            exchange.sendResponseHeaders(404, -1); // no publication on that channel
            exchange.close();
        });
        server.start();
        try (Deployer d = new HttpDeployerProvider().create(ComponentConfig.of(Map.of("url",
                "http://127.0.0.1:" + server.getAddress().getPort() + basePath)))) {
            assertTrue(d.latest("stable").isEmpty());
        } finally {
            server.stop(0);
        }
        assertEquals(List.of(expected), requested);
    }
}

package io.edgeloop.ota.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.api.deploy.Deployer;
import io.edgeloop.api.deploy.DeploymentException;
import io.edgeloop.api.deploy.Publication;
import io.edgeloop.ota.json.CanonicalJson;
import io.edgeloop.ota.server.ChannelStore;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * An update server's publication record is untrusted input a device decides to fetch on: it is read strictly.
 * Before review s13, {@code "sequence":"9"}, {@code 9.5} and an integer beyond 64 bits were coerced to some number
 * (the device fetched on them), a missing text field became the text "null", and the error quoted the whole answer
 * (up to 1 MiB) in one message.
 */
class MalformedPublicationTest {
    private static final String SHA = "ab".repeat(32);

    private static String record(String sequence, String sizeBytes, String name) {
        return "{\"channel\":\"stable\",\"location\":\"http://127.0.0.1/b\",\"name\":" + name + ",\"sequence\":"
                + sequence + ",\"sha256\":\"" + SHA + "\",\"sizeBytes\":" + sizeBytes + "}";
    }

    @ParameterizedTest(name = "sequence {0}, sizeBytes {1}, name {2}")
    @CsvSource(delimiter = '|', value = {
        "'\"9\"'|5|'\"har\"'|'sequence' is not a 64-bit integer: \"9\"",
        "9.5|5|'\"har\"'|'sequence' is not a 64-bit integer: 9.5",
        "99999999999999999999999|5|'\"har\"'|'sequence' is not a 64-bit integer: 99999999999999999999999",
        "true|5|'\"har\"'|'sequence' is not a 64-bit integer: true",
        "9|'\"ten\"'|'\"har\"'|'sizeBytes' is not a 64-bit integer: \"ten\"",
        "9|18446744073709551621|'\"har\"'|'sizeBytes' is not a 64-bit integer: 18446744073709551621",
        "9|5|7|'name' is not a string: 7",
        "9|5|null|'name' is not a string: null"})
    @DisplayName("a field of the wrong type is refused naming the field, not coerced")
    void wrongTypesAreRefused(String sequence, String sizeBytes, String name, String expected) throws Exception {
        IOException e = assertThrows(IOException.class,
                () -> ChannelStore.fromJson(CanonicalJson.parse(record(sequence, sizeBytes, name).getBytes(
                        StandardCharsets.UTF_8))));
        assertEquals("malformed publication JSON: " + expected, e.getMessage());
    }

    @Test
    @DisplayName("a well-formed record still reads, and a missing field is named")
    void wellFormedAndMissing() throws Exception {
        Publication p = ChannelStore.fromJson(CanonicalJson.parse(record("9", "5", "\"har\"")
                .getBytes(StandardCharsets.UTF_8)));
        assertEquals(new Publication("stable", "har", 9, SHA, 5, "http://127.0.0.1/b"), p);
        IOException e = assertThrows(IOException.class, () -> ChannelStore.fromJson(CanonicalJson.parse(
                "{\"name\":\"har\"}".getBytes(StandardCharsets.UTF_8))));
        assertEquals("malformed publication JSON: 'channel' is missing", e.getMessage());
    }

    @Test
    @DisplayName("over HTTP, a huge malformed answer gives a short error that names the field")
    void hugeAnswerShortError() throws Exception {
        String answer = record("9", "5", "\"" + "x".repeat(500_000) + "\"").replace("\"sequence\":9",
                "\"sequence\":\"" + "9".repeat(300_000) + "\"");
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/channels/stable/latest", ex -> {
            byte[] b = answer.getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, b.length);
            ex.getResponseBody().write(b);
            ex.close();
        });
        server.start();
        try (Deployer d = new HttpDeployerProvider().create(ComponentConfig.of(Map.of("url",
                "http://127.0.0.1:" + server.getAddress().getPort(), "timeout", "5s")))) {
            DeploymentException e = assertThrows(DeploymentException.class, () -> d.latest("stable"));
            assertTrue(e.getMessage().contains("'sequence' is not a 64-bit integer: \"999"), e.getMessage());
            assertTrue(e.getMessage().length() < 300, e.getMessage().length() + " characters");
        } finally {
            server.stop(0);
        }
    }
}

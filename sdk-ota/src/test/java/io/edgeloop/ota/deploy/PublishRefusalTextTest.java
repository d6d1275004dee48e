package io.edgeloop.ota.deploy;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.api.deploy.Deployer;
import io.edgeloop.api.deploy.DeploymentException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A refused publish quotes what the server answered, and that answer is untrusted (a proxy's error page, a hostile
 * or broken server): the {@code http} deployer quoted the raw body, control characters, terminal escape sequences
 * and up to 1 MiB of it, in its exception message (review LOW). Now a JSON refusal's error text and check are
 * quoted printable and bounded, anything else is cut to 300 printable characters. Real HTTP.
 */
class PublishRefusalTextTest {
    static final String ESC = "\u001b";

    /** Publishes a small file to a server that answers every PUT with {@code status} and {@code body}. */
    static DeploymentException refusal(Path dir, int status, byte[] body) throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/channels/stable", ex -> {
            ex.getRequestBody().readAllBytes();
            ex.sendResponseHeaders(status, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        server.start();
        try (Deployer d = new HttpDeployerProvider().create(ComponentConfig.of(Map.of("url",
                "http://127.0.0.1:" + server.getAddress().getPort(), "timeout", "5s")))) {
            Path bundle = Files.write(dir.resolve("b.bundle"), new byte[] {1, 2, 3});
            return assertThrows(DeploymentException.class, () -> d.publish(bundle, "stable"));
        } finally {
            server.stop(0);
        }
    }

    static void assertPrintable(String message) {
        assertFalse(message.chars().anyMatch(Character::isISOControl),
                "control characters in the message: " + message.replace(ESC, "<ESC>"));
    }

    @Test
    @DisplayName("a large non-JSON answer with terminal escapes is quoted cut and printable, with its status")
    void largeTextAnswerIsCutAndPrintable(@TempDir Path dir) throws Exception {
        String page = ESC + "[2J" + ESC + "]0;owned\u0007<html>Bad Gateway</html>\r\nforged log line\n"
                + "x".repeat(200_000);
        DeploymentException e = refusal(dir, 502, page.getBytes(StandardCharsets.UTF_8));
        String m = e.getMessage();
        assertTrue(m.startsWith("update server refused the publication (HTTP 502): ?[2J?]0;owned?<html>Bad Gateway"),
                m.length() > 400 ? m.substring(0, 400) : m);
        assertTrue(m.length() < 400, m.length() + " characters");
        assertPrintable(m);
    }

    @Test
    @DisplayName("a JSON refusal is quoted by its error text and check, printable")
    void jsonRefusalQuotesItsErrorAndCheck(@TempDir Path dir) throws Exception {
        String answer = "{\"check\":\"unknown-key\",\"error\":\"the uploaded body fails verification\\u001b"
                + "[31m; nothing was published\\n" + "y".repeat(5000) + "\"}";
        DeploymentException e = refusal(dir, 422, answer.getBytes(StandardCharsets.UTF_8));
        String m = e.getMessage();
        assertTrue(m.startsWith("update server refused the publication (HTTP 422) [unknown-key]: the uploaded body "
                + "fails verification?[31m; nothing was published?yyy"), m.substring(0, Math.min(m.length(), 300)));
        assertTrue(m.length() < 1100, m.length() + " characters");
        assertPrintable(m);
    }
}

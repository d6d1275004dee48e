package io.edgeloop.ota.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.api.provenance.Sha256;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The update server's JSON answers must not be cached (review of 2026-12-03, LOW-MEDIUM): a poll's location is
 * built from the request's {@code Host}, and before the fix the answers carried neither {@code Cache-Control} nor
 * {@code Vary}, so a caching proxy keyed without the client's {@code Host} (nginx's default) could store one
 * request's {@code Host: attacker.example} answer and send every device polling through it to that host.
 */
class UncachedAnswersTest {
    private static final HttpClient CLIENT = HttpClient.newHttpClient();

    private static void assertUncached(HttpResponse<?> r, String what) {
        assertEquals(Optional.of("no-store"), r.headers().firstValue("Cache-Control"), what);
        assertEquals(List.of("Host"), r.headers().allValues("Vary"), what);
    }

    @Test
    @DisplayName("a real server's poll (200 and 404), publish and error answers carry Cache-Control: no-store and "
            + "Vary: Host, read by a real HTTP client; a bundle download stays cacheable")
    void jsonAnswersAreMarkedUncacheable(@TempDir Path dir) throws Exception {
        try (UpdateServer s = DownloadLocationTest.loopbackServer(dir)) {
            String u = s.url();
            HttpResponse<String> none = CLIENT.send(HttpRequest.newBuilder(URI.create(u + "/channels/stable/latest"))
                    .GET().build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(404, none.statusCode());
            assertUncached(none, "a poll of an empty channel");

            Path b = DownloadLocationTest.bundle(dir, 3);
            String sha = Sha256.hex(Files.readAllBytes(b));
            HttpResponse<String> put = CLIENT.send(HttpRequest.newBuilder(URI.create(u + "/channels/stable"))
                    .PUT(HttpRequest.BodyPublishers.ofFile(b)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, put.statusCode(), put.body());
            assertUncached(put, "a publish's answer");

            HttpResponse<String> poll = CLIENT.send(HttpRequest.newBuilder(URI.create(u + "/channels/stable/latest"))
                    .GET().build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, poll.statusCode());
            assertTrue(poll.body().contains("\"location\":\"" + u + "/bundles/stable/" + sha + ".bundle\""),
                    poll.body());
            assertUncached(poll, "a poll's answer");

            HttpResponse<String> older = CLIENT.send(HttpRequest.newBuilder(URI.create(u + "/channels/stable"))
                    .PUT(HttpRequest.BodyPublishers.ofFile(DownloadLocationTest.bundle(dir, 2))).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(409, older.statusCode(), older.body());
            assertUncached(older, "a refused publish's answer");

            HttpResponse<String> bad = CLIENT.send(HttpRequest.newBuilder(URI.create(u + "/channels/Bad/latest"))
                    .GET().build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(400, bad.statusCode(), bad.body());
            assertUncached(bad, "an error answer");

            HttpResponse<byte[]> bundle = CLIENT.send(HttpRequest.newBuilder(URI.create(u + "/bundles/stable/" + sha
                    + ".bundle")).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, bundle.statusCode());
            assertEquals(Optional.empty(), bundle.headers().firstValue("Cache-Control"),
                    "a bundle's path names its digest: caching it is safe");
        }
    }
}

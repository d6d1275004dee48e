package io.edgeloop.examples.customtransport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.edgeloop.api.record.IdempotencyKey;
import io.edgeloop.api.transport.Envelope;
import java.io.IOException;
import java.util.Base64;

/**
 * The {@code edgeloop-json-lines} wire format shared by {@link JsonLinesTcpTransport} and
 * {@link JsonLinesTcpReceiver} (format version 1, documented in {@code docs/formats/json-lines-tcp.md}): one JSON
 * object per line, UTF-8, {@code \n}-terminated.
 *
 * <p>Thread-safe: stateless; the shared {@link ObjectMapper} is thread-safe once configured.
 */
final class JsonLines {
    /** The protocol name sent in the hello line. */
    static final String PROTOCOL = "edgeloop-json-lines";
    /** The major version this code speaks. */
    static final int VERSION = 1;
    static final ObjectMapper JSON = new ObjectMapper();

    private JsonLines() {
    }

    static String hello() {
        return JSON.createObjectNode().put("protocol", PROTOCOL).put("version", VERSION).toString();
    }

    static String envelope(Envelope e) {
        ObjectNode n = JSON.createObjectNode();
        n.put("device", e.key().deviceId());
        n.put("stream", e.key().stream());
        n.put("epoch", e.key().epoch());
        n.put("seq", e.key().sequence());
        n.put("ts", e.timestampMillis());
        n.put("priority", e.priority());
        n.put("payload", Base64.getEncoder().encodeToString(e.payloadBytes()));
        return n.toString();
    }

    static Envelope parseEnvelope(JsonNode n) throws IOException {
        try {
            IdempotencyKey key = new IdempotencyKey(text(n, "device"), text(n, "stream"), n.path("epoch").asLong(-1),
                    n.path("seq").asLong(-1));
            return new Envelope(key, n.path("ts").asLong(), n.path("priority").asInt(-1),
                    Base64.getDecoder().decode(text(n, "payload")));
        } catch (IllegalArgumentException e) {
            throw new IOException("bad envelope line: " + e.getMessage(), e);
        }
    }

    private static String text(JsonNode n, String field) throws IOException {
        JsonNode v = n.get(field);
        if (v == null || !v.isTextual()) {
            throw new IOException("envelope line lacks the text field '" + field + "'");
        }
        return v.asText();
    }
}

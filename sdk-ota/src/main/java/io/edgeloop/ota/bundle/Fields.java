package io.edgeloop.ota.bundle;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/** Strict field access for manifest JSON. Thread-safe: stateless. */
final class Fields {
    private Fields() {
    }

    static String text(JsonNode o, String f) {
        JsonNode n = o.get(f);
        if (n == null || !n.isTextual()) {
            throw new IllegalArgumentException("field '" + f + "' must be a string");
        }
        return n.textValue();
    }

    static long integer(JsonNode o, String f) {
        JsonNode n = o.get(f);
        if (n == null || !n.isIntegralNumber() || !n.canConvertToLong()) {
            throw new IllegalArgumentException("field '" + f + "' must be an integer");
        }
        return n.longValue();
    }

    static Instant instant(JsonNode o, String f) {
        try {
            return Instant.parse(text(o, f));
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("field '" + f + "' must be an ISO-8601 instant", e);
        }
    }
}

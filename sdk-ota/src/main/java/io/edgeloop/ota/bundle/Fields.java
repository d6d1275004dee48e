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

    /**
     * An integer field that must lie in {@code [min, max]}, checked before it is narrowed to {@code int}.
     *
     * @return the value
     * @throws IllegalArgumentException naming the field and the range
     */
    static int int32(JsonNode o, String f, int min, int max) {
        long v = integer(o, f);
        if (v < min || v > max) {
            throw new IllegalArgumentException("field '" + f + "' is " + v + "; it must be between " + min + " and "
                    + max);
        }
        return (int) v;
    }

    static Instant instant(JsonNode o, String f) {
        try {
            return Instant.parse(text(o, f));
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("field '" + f + "' must be an ISO-8601 instant", e);
        }
    }
}

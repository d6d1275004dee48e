package io.edgeloop.ota.json;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * The canonical form of a JSON value, the bytes that Edgeloop signs: UTF-8, no insignificant whitespace, object
 * members sorted by key (UTF-16 code units, as RFC 8785), strings escaped as RFC 8785 does, and integers in
 * plain decimal. Floating-point numbers are not allowed (they have no single textual form worth trusting), nor
 * are duplicate keys. For the integer-only subset this equals RFC 8785 (JCS) output.
 *
 * <p>Thread-safe: stateless.
 */
public final class CanonicalJson {
    private static final ObjectMapper STRICT = JsonMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    static {
        STRICT.getFactory().setStreamReadConstraints(StreamReadConstraints.builder()
                .maxNestingDepth(64).maxNumberLength(40).maxStringLength(16 * 1024 * 1024).build());
    }

    private CanonicalJson() {
    }

    /**
     * Returns the shared strict mapper: duplicate keys, trailing tokens and deep nesting are errors.
     *
     * @return the mapper; do not reconfigure it
     */
    public static ObjectMapper mapper() {
        return STRICT;
    }

    /**
     * Parses JSON strictly (duplicate keys, trailing data and nesting deeper than 64 are refused).
     *
     * @param bytes UTF-8 JSON
     * @return the tree
     * @throws IOException when the bytes are not strict JSON
     */
    public static JsonNode parse(byte[] bytes) throws IOException {
        JsonNode n;
        try {
            n = STRICT.readTree(bytes);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            // Jackson's own message ends in a "[Source: ...]" dump; callers name the file, this says where and what.
            // Not chained: one-line reporters append a cause's message, which would bring the dump back.
            com.fasterxml.jackson.core.JsonLocation at = e.getLocation();
            throw new IOException("invalid JSON" + (at == null ? "" : " at line " + at.getLineNr() + ", column "
                    + at.getColumnNr()) + ": " + String.valueOf(e.getOriginalMessage()).replace('\n', ' '));
        }
        if (n == null || n.isMissingNode()) {
            throw new IOException("empty JSON document");
        }
        return n;
    }

    /**
     * Returns the canonical bytes of a JSON tree.
     *
     * @param node the tree
     * @return the canonical UTF-8 bytes
     * @throws IllegalArgumentException when the tree holds a floating-point number
     */
    public static byte[] bytes(JsonNode node) {
        StringBuilder sb = new StringBuilder(256);
        write(node, sb);
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Returns whether {@code raw} is exactly the canonical form of the JSON it holds.
     *
     * @param raw  the bytes as received
     * @param tree the parsed tree of {@code raw}
     * @return true when canonical
     */
    public static boolean isCanonical(byte[] raw, JsonNode tree) {
        try {
            return java.util.Arrays.equals(raw, bytes(tree));
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /**
     * Returns a fresh object node from the shared mapper.
     *
     * @return an empty object node
     */
    public static ObjectNode object() {
        return STRICT.createObjectNode();
    }

    private static void write(JsonNode n, StringBuilder sb) {
        if (n.isObject()) {
            List<String> keys = new ArrayList<>();
            for (Iterator<String> it = n.fieldNames(); it.hasNext();) {
                keys.add(it.next());
            }
            keys.sort(null); // String.compareTo orders by UTF-16 code units, as RFC 8785 requires
            sb.append('{');
            boolean first = true;
            for (String k : keys) {
                if (!first) {
                    sb.append(',');
                }
                first = false;
                string(k, sb);
                sb.append(':');
                write(n.get(k), sb);
            }
            sb.append('}');
        } else if (n.isArray()) {
            sb.append('[');
            for (int i = 0; i < n.size(); i++) {
                if (i > 0) {
                    sb.append(',');
                }
                write(n.get(i), sb);
            }
            sb.append(']');
        } else if (n.isTextual()) {
            string(n.textValue(), sb);
        } else if (n.isInt() || n.isLong()) {
            sb.append(n.longValue());
        } else if (n.isIntegralNumber()) {
            sb.append(n.bigIntegerValue().toString());
        } else if (n.isNumber()) {
            throw new IllegalArgumentException("canonical JSON allows integers only, found " + n.asText());
        } else if (n.isBoolean()) {
            sb.append(n.booleanValue() ? "true" : "false");
        } else if (n.isNull()) {
            sb.append("null");
        } else {
            throw new IllegalArgumentException("not a JSON value: " + n.getNodeType());
        }
    }

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private static void string(String s, StringBuilder sb) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\b': sb.append("\\b"); break;
                case '\t': sb.append("\\t"); break;
                case '\n': sb.append("\\n"); break;
                case '\f': sb.append("\\f"); break;
                case '\r': sb.append("\\r"); break;
                case '"': sb.append("\\\""); break;
                case '\\': sb.append("\\\\"); break;
                default:
                    if (c < 0x20) {
                        sb.append("\\u00").append(HEX[c >> 4]).append(HEX[c & 15]);
                    } else {
                        sb.append(c);
                    }
            }
        }
        sb.append('"');
    }
}

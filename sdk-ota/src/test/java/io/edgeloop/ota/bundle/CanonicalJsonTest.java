package io.edgeloop.ota.bundle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.edgeloop.ota.json.CanonicalJson;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class CanonicalJsonTest {
    private static String canon(String json) throws Exception {
        return new String(CanonicalJson.bytes(CanonicalJson.parse(json.getBytes(StandardCharsets.UTF_8))),
                StandardCharsets.UTF_8);
    }

    @Test
    @DisplayName("sorts keys by UTF-16 code units, drops whitespace and escapes like RFC 8785")
    void canonical() throws Exception {
        assertEquals("{\"a\":[1,-2,{\"x\":null,\"y\":true}],\"b\":\"\\n\\u0001\\\"é\"}",
                canon("{ \"b\" : \"\\n\\u0001\\\"\\u00e9\", \"a\": [1, -2, {\"y\": true, \"x\": null}] }"));
        assertEquals("{\"\u20ac\":1,\"\ud83d\ude00\":2}", canon("{\"\ud83d\ude00\":2,\"\u20ac\":1}"));
        assertEquals("123456789012345678901234567890", canon("123456789012345678901234567890"));
    }

    @Test
    @DisplayName("refuses floats, duplicate keys, trailing data and deep nesting")
    void strict() {
        assertThrows(IllegalArgumentException.class, () -> canon("{\"a\":1.5}"));
        assertThrows(Exception.class, () -> canon("{\"a\":1,\"a\":2}"));
        assertThrows(Exception.class, () -> canon("{\"a\":1} {}"));
        assertThrows(Exception.class, () -> canon("[".repeat(100) + "]".repeat(100)));
    }
}

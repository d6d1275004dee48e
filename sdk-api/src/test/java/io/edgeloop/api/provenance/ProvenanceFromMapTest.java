package io.edgeloop.api.provenance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Malformed map forms (as a corrupt provenance JSON file gives them) fail with a message naming the key. */
@DisplayName("Provenance.fromMap with malformed members")
class ProvenanceFromMapTest {
    private static final String SHA = "ab".repeat(32);

    private static Map<String, Object> valid() {
        Provenance parent = Provenance.builder().kind("dataset").producer("p").build();
        return new LinkedHashMap<>(Provenance.builder().kind("model").producer("p").seed(7)
                .input("train.csv", SHA, 10).parent(parent).build().toMap());
    }

    private static String refused(Consumer<Map<String, Object>> corrupt) {
        Map<String, Object> m = valid();
        corrupt.accept(m);
        return assertThrows(IllegalArgumentException.class, () -> Provenance.fromMap(m)).getMessage();
    }

    private static void assertMentions(String message, String... parts) {
        for (String p : parts) {
            assertTrue(message.contains(p), "'" + message + "' should mention " + p);
        }
    }

    @Test
    @DisplayName("names createdAt and the value when it is not an ISO-8601 instant")
    void badCreatedAt() {
        assertMentions(refused(m -> m.put("createdAt", "yesterday")), "'createdAt'", "ISO-8601", "'yesterday'");
        assertMentions(refused(m -> m.put("createdAt", 12)), "'createdAt'", "12");
    }

    @Test
    @DisplayName("names the input when an input is not an object, or lacks its name or digest")
    void badInputs() {
        assertMentions(refused(m -> m.put("inputs", List.of("train.csv"))), "'inputs[0]'", "'train.csv'");
        assertMentions(refused(m -> m.put("inputs", List.of(Map.of("sha256", SHA)))), "inputs[0].name");
        assertMentions(refused(m -> m.put("inputs", List.of(Map.of("name", "x")))), "inputs[0].sha256");
        assertMentions(refused(m -> m.put("inputs", List.of(Map.of("name", 5, "sha256", SHA)))), "inputs[0].name",
                "a string");
        assertMentions(refused(m -> m.put("inputs", List.of(Map.of("name", "x", "sha256", "nope")))), "inputs[0]",
                "64 lower-case hex");
        assertMentions(refused(m -> m.put("inputs", List.of(Map.of("name", "x", "sha256", SHA, "sizeBytes", 1.5)))),
                "inputs[0].sizeBytes", "integer");
        assertMentions(refused(m -> m.put("inputs", List.of(Map.of("name", "x", "sha256", SHA, "sizeBytes", -42)))),
                "inputs[0]", "-42");
        assertMentions(refused(m -> m.put("inputs", "train.csv")), "'inputs'", "an array");
    }

    @Test
    @DisplayName("names the parent when a parent is not an object or is itself malformed")
    void badParents() {
        assertMentions(refused(m -> m.put("parents", List.of(42))), "'parents[0]'", "42");
        @SuppressWarnings("unchecked")
        String nested = refused(m -> ((Map<String, Object>) ((List<?>) m.get("parents")).get(0)).put("createdAt",
                "soon"));
        assertMentions(nested, "parents[0]", "'createdAt'", "'soon'");
    }

    @Test
    @DisplayName("refuses non-integral numbers where integers are required")
    void nonIntegral() {
        assertMentions(refused(m -> m.put("formatVersion", 1.9)), "'formatVersion'", "1.9");
        assertMentions(refused(m -> m.put("seed", 1.7)), "'seed'", "integer", "1.7");
        assertMentions(refused(m -> m.put("seed", "7")), "'seed'", "'7'");
        // An integral double is what some JSON writers produce for 1: accepted.
        Map<String, Object> m = valid();
        m.put("formatVersion", 1.0);
        m.put("seed", 7.0);
        assertEquals(7, Provenance.fromMap(m).seed().getAsLong());
    }

    @Test
    @DisplayName("refuses missing or non-string kind, producer and sdkVersion, and nested settings values")
    void badScalars() {
        assertMentions(refused(m -> m.remove("kind")), "missing 'kind'");
        assertMentions(refused(m -> m.put("producer", List.of("a"))), "'producer'", "a string");
        assertMentions(refused(m -> m.put("settings", Map.of("k", Map.of()))), "'settings.k'");
        assertMentions(refused(m -> m.put("settings", "x")), "'settings'", "an object");
    }

    @Test
    @DisplayName("validates Input: blank name and sizes below -1 are refused")
    void inputValidates() {
        assertThrows(IllegalArgumentException.class, () -> new Provenance.Input(" ", SHA, 1));
        assertMentions(assertThrows(IllegalArgumentException.class, () -> new Provenance.Input("x", SHA, -42))
                .getMessage(), "-42", "-1");
        assertEquals(-1, new Provenance.Input("x", SHA, -1).sizeBytes());
    }
}

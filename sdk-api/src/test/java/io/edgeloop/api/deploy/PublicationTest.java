package io.edgeloop.api.deploy;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Publication")
class PublicationTest {
    private static final String SHA = "0f".repeat(32);

    @Test
    @DisplayName("refuses blank channel, name or location and a malformed digest")
    void validates() {
        assertThrows(IllegalArgumentException.class, () -> new Publication("", "m", 1, SHA, 5, "/b"));
        assertThrows(IllegalArgumentException.class, () -> new Publication("c", " ", 1, SHA, 5, "/b"));
        assertThrows(IllegalArgumentException.class, () -> new Publication("c", "m", 1, SHA, 5, ""));
        String msg = assertThrows(IllegalArgumentException.class,
                () -> new Publication("c", "m", 1, "not-a-digest", 5, "/b")).getMessage();
        assertTrue(msg.contains("'not-a-digest'"), msg);
        assertThrows(IllegalArgumentException.class, () -> new Publication("c", "m", 1, SHA.toUpperCase(), 5, "/b"));
        assertThrows(IllegalArgumentException.class, () -> new Publication("c", "m", -1, SHA, 5, "/b"));
        assertDoesNotThrow(() -> new Publication("stable", "har", 0, SHA, 0, "http://h/b.tar"));
    }
}

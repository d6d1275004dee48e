package io.edgeloop.buffer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.buffer.cursor.Cursor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A buffer belongs to the device it was created for: reopening it as another device re-keyed the records it held
 * (review s10, integrator item 2: {@code dev-2/s/<epoch>/1..3} for records appended as {@code dev-1}), so a
 * receiver stored the ones already sent again and credited all of them to the wrong device.
 */
class DeviceIdMismatchTest {
    @TempDir
    Path dir;

    private DurableBuffer open(String device) throws IOException {
        DurableBuffer.Builder b = DurableBuffer.builder().directory(dir);
        return (device == null ? b : b.deviceId(device)).open();
    }

    @Test
    @DisplayName("reopening as another device is refused, naming both ids, and changes nothing")
    void anotherDeviceIsRefused() throws IOException {
        try (DurableBuffer b = open("dev-1")) {
            for (int i = 0; i < 3; i++) {
                b.append("s", 0, Payloads.of(i + 1, 10));
            }
        }
        byte[] identity = Files.readAllBytes(dir.resolve("buffer.id"));
        IOException e = assertThrows(IOException.class, () -> open("dev-2"), "old code: opened, keys dev-2/...");
        assertTrue(e.getMessage().contains("'dev-1'") && e.getMessage().contains("'dev-2'"), e.getMessage());
        org.junit.jupiter.api.Assertions.assertArrayEquals(identity, Files.readAllBytes(dir.resolve("buffer.id")));
        for (String device : new String[] {"dev-1", null}) {
            try (DurableBuffer b = open(device)) {
                Cursor c = b.cursor("up");
                List<BufferedRecord> got = c.poll(10, 1 << 20);
                assertEquals(3, got.size());
                for (BufferedRecord r : got) {
                    assertEquals("dev-1", r.key().deviceId());
                }
            }
        }
    }

    @Test
    @DisplayName("a device id with a control character is refused by the builder, naming it; nothing is created "
            + "(bad-input walk M1: 'sensor\\n7' was stored as 'sensor 7' and the next open refused as another device)")
    void controlCharactersAreRefused() {
        String[][] cases = {{"sensor\n7", "U+000A at index 6"}, {"a\tb", "U+0009 at index 1"},
            {"x\u0085", "U+0085 at index 1"}, {"\u007f", "U+007F at index 0"}};
        for (String[] c : cases) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> DurableBuffer.builder().deviceId(c[0]), "old code: accepted " + c[1]);
            assertTrue(e.getMessage().contains("deviceId") && e.getMessage().contains(c[1]), e.getMessage());
            assertTrue(e.getMessage().chars().noneMatch(Character::isISOControl), e.getMessage());
        }
        assertTrue(assertThrows(IllegalArgumentException.class, () -> DurableBuffer.builder().deviceId(" "))
                .getMessage().contains("deviceId must not be blank"));
    }

    @Test
    @DisplayName("ids with spaces and non-ASCII letters still reopen as themselves")
    void legalIdsReopen() throws IOException {
        for (String id : new String[] {"sensor 7", "capteur-\u00e9", "\u4f20\u611f\u5668"}) {
            Path d = dir.resolve("b" + id.hashCode());
            for (int round = 0; round < 2; round++) {
                try (DurableBuffer b = DurableBuffer.builder().directory(d).deviceId(id).open()) {
                    b.append("s", 0, Payloads.of(round + 1, 10));
                    assertEquals(id, b.deviceId());
                }
            }
        }
    }
}

package io.edgeloop.cli.buffer;

import static io.edgeloop.cli.InProcessCli.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.cli.InProcessCli.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Option values the buffer commands refuse after parsing: exit 1, naming the option, the value and the range. */
class BufferBadOptionsTest {
    @TempDir
    Path tmp;

    @Test
    @DisplayName("drain --timeout beyond 365 days is refused by name and range, not with 'long overflow'")
    void drainTimeoutHasAnUpperBound() {
        String dir = tmp.resolve("b").toString();
        assertEquals(0, run("buffer", "append", "--dir", dir, "--count", "3").code());
        for (String t : new String[] {"9223372036854775807", "31536001"}) {
            Result r = run("buffer", "drain", "--dir", dir, "--to", tmp.toUri().toString(), "--timeout", t);
            assertEquals(1, r.code(), r.err());
            assertEquals("edgeloop: --timeout must be between 1 and 31536000 seconds (365 days), got " + t,
                    r.err().strip());
        }
    }

    @Test
    @DisplayName("append --size above what one segment holds is refused before a payload is allocated")
    void appendSizeIsCheckedBeforeAllocating() {
        Path dir = tmp.resolve("b");
        // 4 MiB segment - 40-byte segment header - 36-byte frame overhead - "default" (7 bytes)
        int max = (4 << 20) - 40 - 36 - 7;
        for (String size : new String[] {"2147483647", "16777217", Integer.toString(max + 1), "-1"}) {
            Result r = run("buffer", "append", "--dir", dir.toString(), "--count", "1", "--size", size);
            assertEquals(1, r.code(), r.err());
            assertEquals("edgeloop: --size must be between 0 and " + max + " bytes (the largest payload of stream "
                    + "'default' in the 4 MiB segments append writes), got " + size, r.err().strip());
        }
        assertFalse(Files.exists(dir), "nothing created");
        Result ok = run("buffer", "append", "--dir", dir.toString(), "--count", "1", "--size", Integer.toString(max));
        assertEquals(0, ok.code(), ok.err());
    }

    @Test
    @DisplayName("dump --stream of a stream the buffer does not have fails naming the streams it has")
    void dumpUnknownStreamFails() {
        String dir = tmp.resolve("b").toString();
        assertEquals(0, run("buffer", "append", "--dir", dir, "--count", "2").code());
        assertEquals(0, run("buffer", "append", "--dir", dir, "--count", "1", "--stream", "temp").code());
        Result r = run("buffer", "dump", "--dir", dir, "--stream", "nosuch");
        assertEquals(1, r.code(), r.err());
        assertEquals("edgeloop: --stream nosuch: buffer " + dir + " has no such stream; its streams: default, temp",
                r.err().strip());
        assertEquals("", r.out());
        Result ok = run("buffer", "dump", "--dir", dir, "--stream", "temp");
        assertEquals(0, ok.code(), ok.err());
        assertTrue(!ok.out().isEmpty() && ok.out().lines().allMatch(l -> l.startsWith("temp ")), ok.out());
    }

    @Test
    @DisplayName("refusals of --device, --sync, --count, --idle-timeout, --flush-timeout and --listen name the option "
            + "and the value in one line, and create nothing (bad-input walk L5, L6, L8, M1)")
    void refusalsNameOptionAndValue() {
        Path dir = tmp.resolve("b");
        String to = tmp.resolve("up").toUri().toString();
        String[][] cases = {
            {"--device '': deviceId must not be blank", "buffer", "append", "--dir", dir.toString(), "--device", ""},
            {"--device 'sensor?7': deviceId must not contain control characters: 'sensor?7' has U+000A at index 6",
                "buffer", "append", "--dir", dir.toString(), "--device", "sensor\n7"},
            {"--sync: Invalid sync policy 'group:'", "buffer", "append", "--dir", dir.toString(), "--sync", "group:"},
            {"--count must not be negative, got -4", "buffer", "ingest", "--port", "0", "--count", "-4"},
            {"--idle-timeout must be at least 1 second, got -1", "buffer", "gateway", "--dir", dir.toString(),
                "--listen", "127.0.0.1:0", "--to", to, "--idle-timeout", "-1"},
            {"--flush-timeout must not be negative, got -1", "buffer", "gateway", "--dir", dir.toString(),
                "--listen", "127.0.0.1:0", "--to", to, "--flush-timeout", "-1"},
            {"--listen port must be 0 to 65535, got '127.0.0.1:99999'", "buffer", "gateway", "--dir",
                dir.toString(), "--listen", "127.0.0.1:99999", "--to", to},
            {"--device 'a?b'", "buffer", "gateway", "--dir", dir.toString(), "--listen", "127.0.0.1:0", "--to", to,
                "--device", "a\tb"}};
        for (String[] c : cases) {
            String[] args = java.util.Arrays.copyOfRange(c, 1, c.length);
            Result r = run(args);
            String e = r.err().strip();
            assertEquals(1, r.code(), String.join(" ", args) + " -> " + e);
            assertEquals(1, e.lines().count(), e);
            assertTrue(e.startsWith("edgeloop: " + c[0]), String.join(" ", args) + " -> " + e);
            assertFalse(e.contains("For input string"), e);
            assertFalse(Files.exists(dir), String.join(" ", args) + " created " + dir);
        }
    }
}

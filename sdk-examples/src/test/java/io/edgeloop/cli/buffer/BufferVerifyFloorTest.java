package io.edgeloop.cli.buffer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.edgeloop.cli.InProcessCli;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code buffer verify} and {@code buffer dump} explain a jump in the sequence numbers: after an open that found
 * the end of the log lost, they show the floor (and verify the reservation). Real files, truncated between runs.
 */
class BufferVerifyFloorTest {
    @TempDir
    Path tmp;

    private static InProcessCli.Result ok(String... args) {
        InProcessCli.Result r = InProcessCli.run(args);
        assertEquals(0, r.code(), r.err());
        return r;
    }

    @Test
    @DisplayName("after a cut last segment raised the floor, verify prints the floor and the reservation (text and"
            + " JSON) and dump notes the floor on stderr; a clean buffer shows no floor")
    void verifyAndDumpShowTheFloor() throws Exception {
        Path dir = tmp.resolve("b1");
        ok("buffer", "append", "--dir", dir.toString(), "--count", "5", "--sync", "always");
        JsonNode clean = new ObjectMapper().readTree(ok("buffer", "verify", "--dir", dir.toString(), "--json").out());
        assertEquals(0, clean.get("sequenceFloor").asLong());
        assertEquals(65536, clean.get("sequenceReserved").asLong());
        ok("buffer", "append", "--dir", dir.toString(), "--count", "2", "--sync", "always");
        Path seg;
        try (Stream<Path> s = Files.list(dir)) {
            seg = s.filter(p -> p.getFileName().toString().startsWith("seg-")).findFirst().orElseThrow();
        }
        try (FileChannel ch = FileChannel.open(seg, StandardOpenOption.WRITE)) {
            ch.truncate(ch.size() - 20);
        }
        String appended = ok("buffer", "append", "--dir", dir.toString(), "--count", "1", "--sync", "always").out();
        assertTrue(appended.contains("durable 65537"), appended);
        String text = ok("buffer", "verify", "--dir", dir.toString()).out();
        assertTrue(text.contains("sequence floor: 65536 (a writable open found the end of the log lost"), text);
        assertTrue(text.contains("reserved: 131072"), text);
        JsonNode j = new ObjectMapper().readTree(ok("buffer", "verify", "--dir", dir.toString(), "--json").out());
        assertEquals(65536, j.get("sequenceFloor").asLong());
        assertEquals(131072, j.get("sequenceReserved").asLong());
        InProcessCli.Result dump = ok("buffer", "dump", "--dir", dir.toString());
        assertTrue(dump.err().contains("sequence floor 65536"), dump.err());
        assertTrue(dump.out().lines().allMatch(l -> l.startsWith("default ")), dump.out());
    }
}

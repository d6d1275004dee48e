package io.edgeloop.cli.buffer;

import static io.edgeloop.cli.InProcessCli.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.edgeloop.cli.InProcessCli.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad-input sweep s16 L7 and L8: which directory is a buffer, and what verify says of one without identity. */
class BufferDirectoryIdentityTest {
    private static List<String> names(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    @DisplayName("buffer append and buffer gateway refuse a non-empty directory that holds no buffer (a quantize "
            + "output), naming what is there, and add nothing to it; a missing or empty directory gets a new buffer")
    void writersRefuseADirectoryOfOtherFiles(@TempDir Path tmp) throws Exception {
        Path q = Files.createDirectories(tmp.resolve("q-m3"));
        for (String f : List.of("golden.json", "model.c", "model.h", "model.json", "report.json")) {
            Files.writeString(q.resolve(f), "{}\n");
        }
        List<String> before = names(q);
        Result r = run("buffer", "append", "--dir", q.toString(), "--count", "1");
        assertEquals(1, r.code(), r.out() + r.err());
        assertTrue(r.err().contains(q + ": not a buffer directory") && r.err().contains("golden.json, model.c")
                && r.err().contains("choose another --dir"), r.err());
        assertEquals(before, names(q), "nothing added to the directory");
        r = run("buffer", "gateway", "--dir", q.toString(), "--listen", "127.0.0.1:0", "--to",
                "file:" + tmp.resolve("up"), "--duration", "1");
        assertEquals(1, r.code(), r.out() + r.err());
        assertTrue(r.err().contains(q + ": not a buffer directory") && r.err().contains("model.json"), r.err());
        assertEquals(before, names(q), "nothing added to the directory");

        Path empty = Files.createDirectories(tmp.resolve("empty"));
        assertEquals(0, run("buffer", "append", "--dir", empty.toString(), "--count", "2").code());
        assertEquals(0, run("buffer", "append", "--dir", empty.toString(), "--count", "2").code(), "an existing buffer");
        assertEquals(0, run("buffer", "append", "--dir", tmp.resolve("new").toString(), "--count", "1").code());
    }

    @Test
    @DisplayName("buffer append takes a directory holding only what a failed first open leaves (buffer.lock, an empty "
            + "cursors/) or a file system's lost+found (a partition mounted at --dir)")
    void writersTakeTheirOwnLeftoversAndLostFound(@TempDir Path tmp) throws Exception {
        Path failed = Files.createDirectories(tmp.resolve("failed").resolve("cursors")).getParent();
        Files.writeString(failed.resolve("buffer.lock"), "");
        Result r = run("buffer", "append", "--dir", failed.toString(), "--count", "2");
        assertEquals(0, r.code(), r.out() + r.err());
        Path mount = Files.createDirectories(tmp.resolve("mnt").resolve("lost+found")).getParent();
        r = run("buffer", "append", "--dir", mount.toString(), "--count", "2");
        assertEquals(0, r.code(), r.out() + r.err());
    }

    @Test
    @DisplayName("buffer verify of a directory without buffer.id (what an append failing on a full disk leaves: "
            + "buffer.lock and cursors/) says it has no identity yet and nothing was stored, inventing no epoch")
    void verifyInventsNoIdentity(@TempDir Path tmp) throws Exception {
        Path b = Files.createDirectories(tmp.resolve("b").resolve("cursors"));
        Path dir = b.getParent();
        Files.writeString(dir.resolve("buffer.lock"), "");
        Result r = run("buffer", "verify", "--dir", dir.toString());
        assertEquals(0, r.code(), r.err());
        String first = r.out().lines().findFirst().orElse("");
        assertTrue(first.contains("no identity yet") && first.contains("nothing was ever stored")
                && !first.contains("epoch"), r.out());
        r = run("buffer", "verify", "--dir", dir.toString(), "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertTrue(j.get("epoch").isNull() && j.get("device").isNull(), r.out());
        assertFalse(Files.exists(dir.resolve("buffer.id")), "verify writes nothing");
    }
}

package io.edgeloop.cli.buffer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.edgeloop.api.provenance.Sha256;
import io.edgeloop.api.transport.Envelope;
import io.edgeloop.buffer.receiver.DropDirectoryReader;
import io.edgeloop.buffer.receiver.IngestServer;
import io.edgeloop.cli.Edgeloop;
import io.edgeloop.tck.Tmpfs;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.RandomAccessFile;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code edgeloop buffer} commands, run in process on real files, a real HTTP receiver and a drop folder. */
class BufferCommandsTest {
    @TempDir
    Path tmp;

    private record Result(int code, String out, String err) {
        List<String> lines() {
            return out.isBlank() ? List.of() : List.of(out.strip().split("\n"));
        }
    }

    private static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Edgeloop.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Result(code, out.toString(), err.toString());
    }

    @Test
    @DisplayName("append under group commit on a full disk (a real 1 MiB tmpfs) exits non-zero and says what was lost")
    void appendOnAFullDiskFails() throws Exception {
        try (Tmpfs fs = Tmpfs.mount(tmp.resolve("mnt"), 1 << 20,
                "sdk-buffer's DiskFullTest covers ENOSPC without it")) {
            Path mnt = fs.path();
            Path buf = mnt.resolve("buf");
            assertEquals(0, run("buffer", "append", "--dir", buf.toString(), "--count", "1", "--size", "100",
                    "--sync", "group:5").code());
            Path filler = fs.fill("filler", 4096);
            Result r = run("buffer", "append", "--dir", buf.toString(), "--count", "3000", "--size", "100",
                    "--sync", "group:5");
            assertEquals(1, r.code(), r.out() + r.err());
            assertTrue(r.err().contains("Disk full") && r.err().contains("were not stored"), r.err());
            Files.delete(filler);
            Result dump = run("buffer", "dump", "--dir", buf.toString(), "--json");
            assertEquals(0, dump.code(), dump.err());
        }
    }

    @Test
    @DisplayName("append announces durable sequences, dump prints each record's size and SHA-256, verify counts")
    void appendDumpVerify() throws IOException {
        Path dir = tmp.resolve("buf");
        Result a = run("buffer", "append", "--dir", dir.toString(), "--count", "500", "--size", "37", "--sync",
                "group:3");
        assertEquals(0, a.code(), a.err());
        long last = 0;
        for (String line : a.lines()) {
            assertTrue(line.matches("durable \\d+"), line);
            long seq = Long.parseLong(line.substring(8));
            assertTrue(seq > last, "the watermark only advances");
            last = seq;
        }
        assertEquals(500, last);
        assertEquals(0, run("buffer", "append", "--dir", dir.toString(), "--stream", "other", "--count", "3",
                "--sync", "always").code());
        assertEquals(3, run("buffer", "append", "--dir", dir.toString(), "--count", "3", "--size", "37",
                "--sync", "none").lines().size());

        Result d = run("buffer", "dump", "--dir", dir.toString(), "--stream", "default", "--json");
        assertEquals(0, d.code(), d.err());
        ObjectMapper m = new ObjectMapper();
        List<String> lines = d.lines();
        assertEquals(503, lines.size());
        for (int i = 0; i < lines.size(); i++) {
            JsonNode n = m.readTree(lines.get(i));
            assertEquals("default", n.get("stream").asText());
            assertEquals(i + 1, n.get("seq").asLong());
            assertEquals(37, n.get("size").asInt());
            assertEquals(Sha256.hex(BufferAppendCommand.payload(i + 1, 37)), n.get("sha256").asText());
        }

        Result v = run("buffer", "verify", "--dir", dir.toString(), "--json");
        assertEquals(0, v.code(), v.err());
        JsonNode r = m.readTree(v.out());
        assertEquals(503, r.get("streams").get("default").get("records").asLong());
        assertEquals(503, r.get("streams").get("default").get("highestDurableSeq").asLong());
        assertEquals(3, r.get("streams").get("other").get("records").asLong());
        assertEquals(0, r.get("corruptFramesSkipped").asLong());
        // appended without --device, the buffer's id is the default 'device': the line read "(device device, ..."
        Result text = run("buffer", "verify", "--dir", dir.toString());
        assertTrue(text.out().startsWith("buffer " + dir + " (device id 'device', epoch "), text.out());
    }

    @Test
    @DisplayName("dump and verify never fail on damaged files, and do not modify them")
    void damagedFilesNeverFailDumpOrVerify() throws IOException {
        Path dir = tmp.resolve("buf");
        assertEquals(0, run("buffer", "append", "--dir", dir.toString(), "--count", "200", "--size", "50").code());
        Path seg;
        try (Stream<Path> s = Files.list(dir)) {
            seg = s.filter(p -> p.getFileName().toString().startsWith("seg-")).findFirst().orElseThrow();
        }
        long len = Files.size(seg);
        try (RandomAccessFile f = new RandomAccessFile(seg.toFile(), "rw")) {
            f.seek(len / 2);
            f.write(new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
            f.seek(len);
            f.write(new byte[] {(byte) 0xE1, (byte) 0xB0, 9, 9, 9});
        }
        Result d = run("buffer", "dump", "--dir", dir.toString(), "--json");
        assertEquals(0, d.code(), d.err());
        int n = d.lines().size();
        assertTrue(n >= 197 && n < 200, "damaged records are skipped, the rest dumped: " + n);
        Result v = run("buffer", "verify", "--dir", dir.toString(), "--json");
        assertEquals(0, v.code(), v.err());
        JsonNode r = new ObjectMapper().readTree(v.out());
        assertTrue(r.get("corruptFramesSkipped").asLong() >= 1);
        assertEquals(5, r.get("bytesTruncated").asLong());
        assertEquals(len + 5, Files.size(seg), "read-only commands do not repair");
        Result missing = run("buffer", "verify", "--dir", tmp.resolve("nope").toString());
        assertEquals(1, missing.code());
        assertTrue(missing.err().startsWith("edgeloop: "), missing.err());
    }

    @Test
    @DisplayName("drain delivers everything to a file: drop folder and to an http: receiver, and only once per cursor")
    void drainsToFileAndHttp() throws IOException {
        Path dir = tmp.resolve("buf");
        assertEquals(0, run("buffer", "append", "--dir", dir.toString(), "--count", "1200", "--size", "64").code());
        Path drop = Files.createDirectories(tmp.resolve("usb"));
        Result f = run("buffer", "drain", "--dir", dir.toString(), "--to", drop.toUri().toString(), "--cursor", "usb",
                "--compression", "gzip");
        assertEquals(0, f.code(), f.err());
        assertTrue(f.out().startsWith("drained 1200 records"), f.out());
        List<Envelope> got = new DropDirectoryReader().read(drop).envelopes();
        assertEquals(1200, got.size());
        Set<Long> seqs = new HashSet<>();
        for (Envelope e : got) {
            seqs.add(e.key().sequence());
            assertEquals(new String(BufferAppendCommand.payload(e.key().sequence(), 64)),
                    new String(e.payloadBytes()));
        }
        assertEquals(1200, seqs.size());
        try (IngestServer server = IngestServer.builder().start()) {
            Result h = run("buffer", "drain", "--dir", dir.toString(), "--to", server.uri().toString(), "--cursor",
                    "cloud");
            assertEquals(0, h.code(), h.err());
            assertEquals(1200, server.distinct());
            assertEquals(0, server.duplicatesDropped());
            assertEquals(0, run("buffer", "append", "--dir", dir.toString(), "--count", "10").code());
            Result again = run("buffer", "drain", "--dir", dir.toString(), "--to", server.uri().toString(),
                    "--cursor", "cloud");
            assertTrue(again.out().startsWith("drained 10 records"), again.out());
            assertEquals(1210, server.distinct());
        }
        List<Envelope> before = new ArrayList<>(got);
        assertEquals(0, run("buffer", "drain", "--dir", dir.toString(), "--to", drop.toUri().toString(), "--cursor",
                "usb").code());
        assertEquals(before.size() + 10, new DropDirectoryReader().read(drop).envelopes().size());
    }

    @Test
    @DisplayName("drain --timeout 0 or -1 is refused (exit 1, as every value refused after parsing) and sends nothing;"
            + " a drain that sends all exits 0")
    void drainRejectsANonPositiveTimeout() throws IOException {
        Path dir = tmp.resolve("buf");
        Path drop = Files.createDirectories(tmp.resolve("drop"));
        assertEquals(0, run("buffer", "append", "--dir", dir.toString(), "--count", "200").code());
        for (String t : List.of("0", "-1")) {
            Result r = run("buffer", "drain", "--dir", dir.toString(), "--to", drop.toUri().toString(), "--timeout", t);
            assertEquals(1, r.code(), r.out() + r.err());
            assertTrue(r.err().contains("--timeout must be between 1 and 31536000 seconds (365 days), got " + t),
                    r.err());
            try (Stream<Path> s = Files.list(drop)) {
                assertEquals(0, s.count(), "nothing sent on a usage error");
            }
        }
        Result ok = run("buffer", "drain", "--dir", dir.toString(), "--to", drop.toUri().toString(), "--timeout", "1");
        assertEquals(0, ok.code(), ok.out() + ok.err());
        assertTrue(ok.out().startsWith("drained 200 records"), ok.out());
    }

    @Test
    @DisplayName("drain to a wrong HTTP path fails after its timeout, skips nothing, and a later drain delivers all")
    void drainToWrongPathKeepsRecords() throws IOException {
        Path dir = tmp.resolve("wrong");
        assertEquals(0, run("buffer", "append", "--dir", dir.toString(), "--count", "50", "--size", "32").code());
        try (IngestServer server = IngestServer.builder().start()) {
            Result r = run("buffer", "drain", "--dir", dir.toString(), "--to",
                    server.uri().resolve("/wrongpath").toString(), "--timeout", "2");
            assertEquals(1, r.code(), r.out());
            assertTrue(r.err().contains("404") && r.err().contains("stays in the buffer"), r.err());
            assertEquals(0, server.distinct());
            Result ok = run("buffer", "drain", "--dir", dir.toString(), "--to", server.uri().toString());
            assertEquals(0, ok.code(), ok.err());
            assertTrue(ok.out().startsWith("drained 50 records") && !ok.out().contains("skipped"), ok.out());
            assertEquals(50, server.distinct());
        }
    }

    @Test
    @DisplayName("verify bounds, per stream, the records a corrupt region of a sealed segment took")
    void verifyBoundsCorruptRegion() throws Exception {
        Path dir = tmp.resolve("region");
        List<io.edgeloop.buffer.Appended> all = new java.util.ArrayList<>();
        try (io.edgeloop.buffer.DurableBuffer b = io.edgeloop.buffer.DurableBuffer.builder().directory(dir)
                .segmentBytes(4096).open()) {
            for (int i = 1; i <= 60; i++) {
                all.add(b.append(i % 2 == 1 ? "a" : "b", 0, new byte[100]));
            }
        }
        // records 5 to 7 (a 3, b 3, a 4) overwritten, headers included: no frame is left to name them
        byte[] junk = new byte[(int) (all.get(6).endPosition() - all.get(4).position())];
        java.util.Arrays.fill(junk, (byte) 0x5A);
        try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(
                dir.resolve("seg-00000000000000000000.log").toFile(), "rw")) {
            f.seek(all.get(4).position());
            f.write(junk);
        }
        Result r = run("buffer", "verify", "--dir", dir.toString(), "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertEquals(1, j.get("corruptFramesSkipped").asLong(), r.out());
        assertEquals(0, j.get("recordsKnownLost").asLong(), r.out());
        // before 2026-12-02 the region said nothing about its records
        assertEquals(3, j.get("recordsInCorruptRegionsAtMost").asLong(), r.out());
        java.util.Map<String, String> bounds = new java.util.TreeMap<>();
        for (JsonNode l : j.get("losses")) {
            assertEquals("CORRUPT_REGION", l.get("kind").asText(), r.out());
            if (l.has("recordsAtMost")) {
                bounds.put(l.get("stream").asText(), l.get("firstSequence").asLong() + ".."
                        + l.get("lastSequence").asLong() + ":" + l.get("recordsAtMost").asLong());
            }
        }
        assertEquals(java.util.Map.of("a", "3..4:2", "b", "3..3:1"), bounds, r.out());
        Result text = run("buffer", "verify", "--dir", dir.toString());
        assertTrue(text.out().contains("records lost in corrupt regions of sealed segments: at most 3")
                && text.out().contains("stream a: at most 2 records, sequences within 3..4"), text.out());
    }

    @Test
    @DisplayName("verify counts the records of two corrupt regions of one stream in one segment at most once")
    void verifyCountsTwoRegionsOfOneStreamOnce() throws Exception {
        Path dir = tmp.resolve("regions");
        List<io.edgeloop.buffer.Appended> all = new java.util.ArrayList<>();
        try (io.edgeloop.buffer.DurableBuffer b = io.edgeloop.buffer.DurableBuffer.builder().directory(dir)
                .segmentBytes(4096).open()) {
            for (int i = 1; i <= 60; i++) {
                all.add(b.append(i % 2 == 1 ? "a" : "b", 0, new byte[100]));
            }
        }
        // records 5 and 7 (a 3, a 4) overwritten each on its own, record 6 (b 3) between them intact
        try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(
                dir.resolve("seg-00000000000000000000.log").toFile(), "rw")) {
            for (int i : new int[] {4, 6}) {
                byte[] junk = new byte[(int) (all.get(i).endPosition() - all.get(i).position())];
                java.util.Arrays.fill(junk, (byte) 0x5A);
                f.seek(all.get(i).position());
                f.write(junk);
            }
        }
        Result r = run("buffer", "verify", "--dir", dir.toString(), "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertEquals(2, j.get("corruptFramesSkipped").asLong(), r.out());
        List<String> bounds = new java.util.ArrayList<>();
        for (JsonNode l : j.get("losses")) {
            if (l.has("recordsAtMost")) {
                bounds.add(l.get("stream").asText() + " " + l.get("firstSequence").asLong() + ".."
                        + l.get("lastSequence").asLong() + ":" + l.get("recordsAtMost").asLong());
            }
        }
        assertEquals(List.of("a 3..4:2", "a 3..4:2"), bounds, r.out());
        // before 2026-12-02 the two entries were summed: 4, where the segment is missing 2 records of a
        assertEquals(2, j.get("recordsInCorruptRegionsAtMost").asLong(), r.out());
        Result text = run("buffer", "verify", "--dir", dir.toString());
        assertTrue(text.out().contains("records lost in corrupt regions of sealed segments: at most 2 "), text.out());
    }

    @Test
    @DisplayName("verify reports the records of a segment deleted behind the buffer's back, by stream and range")
    void verifyReportsDeletedSegment() throws IOException {
        Path dir = tmp.resolve("gap");
        try (io.edgeloop.buffer.DurableBuffer b = io.edgeloop.buffer.DurableBuffer.builder().directory(dir)
                .segmentBytes(8192).open()) {
            for (int i = 0; i < 300; i++) {
                b.append("s", 0, new byte[100]);
            }
        }
        List<Path> segs;
        try (Stream<Path> s = Files.list(dir)) {
            segs = s.filter(p -> p.getFileName().toString().startsWith("seg-")).sorted().toList();
        }
        Files.delete(segs.get(1));
        Result r = run("buffer", "verify", "--dir", dir.toString(), "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode j = new ObjectMapper().readTree(r.out());
        long read = j.get("streams").get("s").get("records").asLong();
        assertEquals(300 - read, j.get("recordsKnownLost").asLong(), r.out());
        JsonNode gap = j.get("losses").get(0);
        assertEquals("SEQUENCE_GAP", gap.get("kind").asText(), r.out());
        assertEquals("s", gap.get("stream").asText());
        assertEquals(300 - read, gap.get("lastSequence").asLong() - gap.get("firstSequence").asLong() + 1);
        Result text = run("buffer", "verify", "--dir", dir.toString());
        assertTrue(text.out().contains("records known lost: " + (300 - read)), text.out());
        Result dump = run("buffer", "dump", "--dir", dir.toString());
        assertEquals(0, dump.code(), dump.err());
        assertEquals(read, dump.out().lines().count());
    }

    @Test
    @DisplayName("verify lists the temporary files a crash left before their rename; append's open deletes them")
    void verifyListsLeftoverTemporaryFiles() throws IOException {
        Path dir = tmp.resolve("leftovers");
        assertEquals(0, run("buffer", "append", "--dir", dir.toString(), "--count", "5").code());
        // what a kill between writing the temporary file and renaming it leaves (AtomicFile.write)
        Files.writeString(dir.resolve("sequences.tmp"), "format=1.2\nseq 9");
        Result json = run("buffer", "verify", "--dir", dir.toString(), "--json");
        assertEquals(0, json.code(), json.err());
        JsonNode left = new ObjectMapper().readTree(json.out()).get("leftoverTemporaryFiles");
        assertEquals(1, left.size(), json.out());
        assertEquals("sequences.tmp", left.get(0).asText());
        Result text = run("buffer", "verify", "--dir", dir.toString());
        assertTrue(text.out().contains("leftover temporary files") && text.out().contains("sequences.tmp"),
                text.out());
        assertTrue(Files.exists(dir.resolve("sequences.tmp")), "verify changes nothing");
        assertEquals(0, run("buffer", "append", "--dir", dir.toString(), "--count", "1").code());
        assertTrue(Files.notExists(dir.resolve("sequences.tmp")), "a writable open deleted it");
        Result after = run("buffer", "verify", "--dir", dir.toString(), "--json");
        assertEquals(0, new ObjectMapper().readTree(after.out()).get("leftoverTemporaryFiles").size(), after.out());
    }

    @Test
    @DisplayName("dump and verify refuse an existing directory that holds no buffer, and a regular file, saying which")
    void readOnlyCommandsRefuseDirectoriesWithoutBuffer() throws IOException {
        Path empty = Files.createDirectories(tmp.resolve("emptyd"));
        Path other = Files.createDirectories(tmp.resolve("other"));
        Files.writeString(other.resolve("notes.txt"), "hi\n");
        Path file = Files.writeString(tmp.resolve("afile"), "hi\n");
        for (String cmd : List.of("dump", "verify")) {
            for (Path dir : List.of(empty, other)) {
                Result r = run("buffer", cmd, "--dir", dir.toString(), "--json");
                assertEquals(1, r.code(), cmd + " " + dir + ": " + r.out());
                assertEquals("", r.out(), "no report of a made-up buffer");
                assertTrue(r.err().contains(dir.toString()) && r.err().contains("not a buffer directory")
                        && r.err().contains("no buffer.id"), r.err());
                assertTrue(!r.err().contains("no such file") && !r.err().contains("does not exist"), r.err());
            }
            Result r = run("buffer", cmd, "--dir", file.toString());
            assertEquals(1, r.code(), r.out());
            assertTrue(r.err().contains("not a directory") && !r.err().contains("does not exist"), r.err());
        }
        try (Stream<Path> s = Files.list(empty)) {
            assertEquals(0, s.count(), "read-only opens create nothing");
        }
    }

    @Test
    @DisplayName("drain and gateway refuse a file: destination that is a buffer directory (the buffer drained, a "
            + "directory inside it, another buffer) at once with exit 1, and change nothing in either buffer")
    void drainRefusesABufferAsDropDirectory() throws IOException {
        Path dir = tmp.resolve("buf");
        Path other = tmp.resolve("other");
        assertEquals(0, run("buffer", "append", "--dir", dir.toString(), "--count", "20", "--size", "8").code());
        assertEquals(0, run("buffer", "append", "--dir", other.toString(), "--count", "5", "--size", "8").code());
        java.util.Map<Path, String> before = contents(dir, other);
        java.util.Map<Path, String> expected = java.util.Map.of(dir, "is the buffer directory --dir " + dir + " itself",
                dir.resolve("cursors"), "lies inside the buffer directory --dir " + dir, other,
                "is a buffer directory (it holds a buffer's files)");
        for (java.util.Map.Entry<Path, String> to : expected.entrySet()) {
            String uri = to.getKey().toUri().toString();
            Result r = run("buffer", "drain", "--dir", dir.toString(), "--to", uri, "--timeout", "2");
            assertEquals(1, r.code(), r.out() + r.err());
            assertEquals("edgeloop: --to " + uri + " " + to.getValue() + ": a drop directory takes only the batch "
                    + "files the drain writes; give a directory of its own (the receiver's drop directory) as --to",
                    r.err().strip());
            assertEquals(before, contents(dir, other), "nothing changed by a drain to " + uri);
        }
        Path gateway = tmp.resolve("gw");
        Result r = run("buffer", "gateway", "--dir", gateway.toString(), "--listen", "127.0.0.1:0", "--to",
                other.toUri().toString(), "--duration", "1", "--flush-timeout", "0");
        assertEquals(1, r.code(), r.out() + r.err());
        assertTrue(r.err().contains("is a buffer directory"), r.err());
        assertFalse(Files.exists(gateway), "the gateway's buffer is not made");
        assertEquals(before, contents(dir, other), "nothing changed by the gateway");
    }

    /** Every file under the directories, by path, with its SHA-256. */
    private static java.util.Map<Path, String> contents(Path... dirs) throws IOException {
        java.util.Map<Path, String> m = new java.util.TreeMap<>();
        for (Path d : dirs) {
            try (Stream<Path> s = Files.walk(d)) {
                for (Path p : s.toList()) {
                    m.put(p, Files.isDirectory(p) ? "dir" : Sha256.hex(Files.readAllBytes(p)));
                }
            }
        }
        return m;
    }

    @Test
    @DisplayName("drain --dir on a path that is no buffer fails like dump and verify, in one plain line, and creates "
            + "nothing there")
    void drainRefusesMissingBufferDirectory() throws IOException {
        Path typo = tmp.resolve("nonexist");
        Path drop = Files.createDirectories(tmp.resolve("drop"));
        for (String cmd : List.of("drain", "dump", "verify")) {
            Result r = cmd.equals("drain")
                    ? run("buffer", "drain", "--dir", typo.toString(), "--to", drop.toUri().toString(), "--timeout", "3")
                    : run("buffer", cmd, "--dir", typo.toString());
            assertEquals(1, r.code(), cmd + ": " + r.out());
            // one level of parentheses: it was "no such file or directory: DIR (not a buffer directory (it ...))"
            assertEquals("edgeloop: " + typo + ": not a buffer directory (it does not exist; check the path)",
                    r.err().strip(), cmd);
        }
        assertTrue(!Files.exists(typo), "drain must not create a buffer at a mistyped path");
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        Result r = run("buffer", "drain", "--dir", empty.toString(), "--to", drop.toUri().toString());
        assertEquals(1, r.code(), r.out());
        assertTrue(r.err().contains("not a buffer directory"), r.err());
        try (Stream<Path> s = Files.list(empty)) {
            assertEquals(0, s.count(), "nothing created in a directory that holds no buffer");
        }
    }

    @Test
    @DisplayName("drain to a missing drop directory times out with a last error naming the directory")
    void drainToMissingDropDirectoryNamesIt() throws IOException {
        Path dir = tmp.resolve("buf");
        assertEquals(0, run("buffer", "append", "--dir", dir.toString(), "--count", "5", "--size", "8").code());
        Path usb = tmp.resolve("usb");
        Result r = run("buffer", "drain", "--dir", dir.toString(), "--to", usb.toUri().toString(), "--timeout", "1");
        assertEquals(1, r.code(), r.out());
        assertTrue(r.err().contains("last error: Drop directory " + usb) && r.err().contains("does not exist"),
                r.err());
    }

    @Test
    @DisplayName("drain to a missing drop directory says so on stderr at once, once, while it retries (it used to be "
            + "silent for the whole timeout), and delivers when the directory appears")
    void drainSaysItRetriesAsSoonAsItFails() throws Exception {
        Path dir = tmp.resolve("late");
        assertEquals(0, run("buffer", "append", "--dir", dir.toString(), "--count", "5", "--size", "8").code());
        Path usb = tmp.resolve("late-usb");
        java.io.StringWriter out = new java.io.StringWriter();
        java.io.StringWriter err = new java.io.StringWriter();
        java.util.concurrent.CompletableFuture<Integer> drain = java.util.concurrent.CompletableFuture.supplyAsync(
                () -> io.edgeloop.cli.Edgeloop.run(new java.io.PrintWriter(out, true), new java.io.PrintWriter(err,
                        true), "buffer", "drain", "--dir", dir.toString(), "--to", usb.toUri().toString(),
                        "--timeout", "120"));
        long end = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(60);
        while (!err.toString().contains("retrying") && !drain.isDone() && System.nanoTime() < end) {
            Thread.sleep(20);
        }
        assertFalse(drain.isDone(), "the notice comes while the drain still retries: " + err);
        String notice = err.toString().strip();
        assertTrue(notice.matches("edgeloop: retrying until \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ "
                + "\\(--timeout 120 s\\): Drop directory " + java.util.regex.Pattern.quote(usb.toString())
                + " does not exist or is not a directory.*"), notice);
        Files.createDirectories(usb);
        assertEquals(0, drain.get(120, java.util.concurrent.TimeUnit.SECONDS), out + "" + err);
        assertTrue(out.toString().startsWith("drained 5 records"), out.toString());
        assertEquals(notice, err.toString().strip(), "one notice for one error, however often it was retried");
    }

    @Test
    @DisplayName("dump and verify name buffer.id or sequences when one of them is a directory")
    void directoryInPlaceOfFileIsNamed() throws IOException {
        for (String file : List.of("buffer.id", "sequences")) {
            Path dir = tmp.resolve("d-" + file);
            assertEquals(0, run("buffer", "append", "--dir", dir.toString(), "--count", "3", "--size", "8").code());
            Files.deleteIfExists(dir.resolve(file));
            Files.createDirectories(dir.resolve(file).resolve("x"));
            for (String cmd : List.of("dump", "verify")) {
                Result r = run("buffer", cmd, "--dir", dir.toString());
                assertEquals(1, r.code(), r.out());
                assertTrue(r.err().contains(dir.resolve(file).toString()), cmd + " " + file + ": " + r.err());
            }
        }
    }

    @Test
    @DisplayName("drain names the supported destinations for an unknown scheme")
    void refusesUnknownScheme() {
        Result r = run("buffer", "drain", "--dir", tmp.toString(), "--to", "ftp://x/y");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("file:/path, http://host:port/path"), r.err());
    }
}

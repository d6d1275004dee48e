package io.edgeloop.buffer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.buffer.log.Loss;
import io.edgeloop.buffer.policy.Durability;
import io.edgeloop.tck.Tmpfs;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Quarantine copies of damaged bytes are written like every other file the buffer replaces: a temporary file,
 * fsync, rename, directory fsync. A copy interrupted half way (a crash, a full disk) leaves no file that looks like
 * a whole copy; its temporary file is listed by a read-only open ({@code buffer verify}) and deleted by a writable
 * one. Before, the copy was written in place: on a full disk it stayed behind short, under the copy's own name.
 */
class QuarantineCopyTest {
    @TempDir
    Path tmp;

    private static DurableBuffer open(Path dir, boolean readOnly) throws IOException {
        return DurableBuffer.builder().directory(dir).deviceId("d").durability(Durability.always())
                .segmentBytes(64 * 1024).readOnly(readOnly).open();
    }

    private static Path fill(Path dir, int records) throws IOException {
        try (DurableBuffer b = open(dir, false)) {
            for (int i = 1; i <= records; i++) {
                b.append("s", 0, Payloads.of(i, 500));
            }
        }
        return dir;
    }

    @Test
    @DisplayName("a quarantine copy's leftover temporary file is listed by a read-only open, deleted by a writable"
            + " one, and never taken for a copy")
    void leftoverQuarantineTemporaryFileIsListedThenDeleted() throws IOException {
        Path dir = fill(tmp.resolve("b"), 300);
        String seg = BufferFiles.segments(dir).get(1).getFileName().toString();
        Path qdir = Files.createDirectories(dir.resolve("quarantine"));
        String leftover = seg + "@4096.bad.tmp";
        Files.write(qdir.resolve(leftover), new byte[1000]);
        Files.write(qdir.resolve("notes.txt.tmp"), new byte[3]);
        try (DurableBuffer b = open(dir, true)) {
            assertEquals(List.of("quarantine/" + leftover), b.leftoverTemporaryFiles());
        }
        try (DurableBuffer b = open(dir, false)) {
            assertEquals(List.of("quarantine/" + leftover), b.leftoverTemporaryFiles());
        }
        assertFalse(Files.exists(qdir.resolve(leftover)), "deleted by the writable open");
        assertTrue(Files.exists(qdir.resolve("notes.txt.tmp")), "a name the buffer does not write is left alone");
        try (DurableBuffer b = open(dir, true)) {
            assertEquals(List.of(), b.leftoverTemporaryFiles());
        }
    }

    @Test
    @DisplayName("a copy is whole under its name and leaves no temporary file")
    void copyIsWholeAndNoTemporaryFileRemains() throws IOException {
        Path dir = fill(tmp.resolve("b"), 300);
        Path seg = BufferFiles.segments(dir).get(1);
        byte[] garbage = garbage(20_000);
        overwrite(seg, 8192, garbage);
        try (DurableBuffer b = open(dir, false)) {
            BufferFiles.readAll(b);
            Loss loss = b.lossReport().losses().stream().filter(l -> !l.quarantine().isEmpty()).findFirst()
                    .orElseThrow(() -> new AssertionError(b.lossReport().toString()));
            byte[] copy = Files.readAllBytes(dir.resolve(loss.quarantine()));
            assertEquals(loss.length(), copy.length);
            byte[] expected = Arrays.copyOfRange(Files.readAllBytes(seg), (int) loss.offset(),
                    (int) (loss.offset() + loss.length()));
            assertTrue(Arrays.equals(expected, copy), "the copy holds the damaged bytes");
        }
        try (Stream<Path> s = Files.list(dir.resolve("quarantine"))) {
            assertTrue(s.noneMatch(p -> p.getFileName().toString().endsWith(".tmp")));
        }
    }

    @Test
    @DisplayName("on a real full tmpfs the copy fails and leaves no short file under the copy's name")
    void fullDiskLeavesNoShortCopy() throws Exception {
        Path src = fill(tmp.resolve("src"), 600);
        try (Tmpfs fs = Tmpfs.mount(tmp.resolve("mnt"), 1 << 20,
                "leftoverQuarantineTemporaryFileIsListedThenDeleted covers the temporary file without it")) {
            Path dir = fs.path().resolve("b");
            BufferFiles.copy(src, dir, Set.of("reserve.bin"));
            Path seg = BufferFiles.segments(dir).get(1);
            overwrite(seg, 8192, garbage(40_000));
            Files.createDirectories(dir.resolve("quarantine"));
            fs.fill("filler", 4096);
            try (DurableBuffer b = open(dir, false)) {
                BufferFiles.readAll(b);
                assertTrue(b.lossReport().losses().stream().anyMatch(l -> l.kind() == Loss.Kind.CORRUPT_REGION
                        || l.kind() == Loss.Kind.CORRUPT_FRAME), b.lossReport().toString());
            }
            try (Stream<Path> s = Files.list(dir.resolve("quarantine"))) {
                List<String> left = s.map(p -> p.getFileName().toString()).collect(Collectors.toList());
                assertEquals(List.of(), left, "no copy could be written whole, so none is there");
            }
        }
    }

    private static byte[] garbage(int n) {
        byte[] g = new byte[n];
        for (int i = 0; i < n; i++) {
            g[i] = (byte) (i * 31 + 7);
        }
        return g;
    }

    private static void overwrite(Path file, long at, byte[] bytes) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            while (b.hasRemaining()) {
                ch.write(b, at + b.position());
            }
        }
    }
}

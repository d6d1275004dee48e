package io.edgeloop.tck.powercut;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.tck.powercut.PowerCutFileSystem.Variant;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The harness's own model: what survives a cut of {@link PowerCutFileSystem}, operation by operation. */
class PowerCutFileSystemTest {
    @TempDir
    Path tmp;

    private PowerCutFileSystem fs;
    private Path root;

    @BeforeEach
    void wrap() throws IOException {
        Files.createDirectory(tmp.resolve("live"));
        fs = PowerCutFileSystem.wrap(tmp.resolve("live"));
        root = fs.root();
    }

    private Path after(Variant variant, long seed) throws IOException {
        fs.cut();
        Path out = tmp.resolve("after-" + variant + "-" + seed);
        fs.materialize(out, variant, seed);
        return out;
    }

    private Path after() throws IOException {
        return after(Variant.STRICT, 0);
    }

    private static void write(FileChannel ch, String s) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    private static FileChannel create(Path p) throws IOException {
        return FileChannel.open(p, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    }

    private static String read(Path p) throws IOException {
        return Files.readString(p, StandardCharsets.UTF_8);
    }

    /** Syncs a directory as Java does: {@code force} on a channel opened on it for reading. */
    private static void syncDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    /**
     * The usual atomic replace: write {@code <name>.tmp}, force it, rename it over the target, sync the directory
     * (as sdk-buffer's {@code AtomicFile.write}).
     */
    private static void replace(Path target, byte[] bytes) throws IOException {
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            while (b.hasRemaining()) {
                ch.write(b);
            }
            ch.force(true);
        }
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        syncDirectory(target.getParent());
    }

    @Test
    @DisplayName("SYNC and DSYNC opens are refused, not modelled as not durable (a correct O_DSYNC log looked lossy)")
    void syncOpensAreRefused() {
        for (StandardOpenOption o : new StandardOpenOption[] {StandardOpenOption.SYNC, StandardOpenOption.DSYNC}) {
            UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                    () -> FileChannel.open(root.resolve("wal"), StandardOpenOption.CREATE, StandardOpenOption.WRITE, o),
                    o.toString());
            assertTrue(e.getMessage().contains("use FileChannel.force"), e.getMessage());
        }
    }

    @Test
    @DisplayName("a write without force is gone after the cut; the synced name stays, empty")
    void unforcedWriteIsGone() throws IOException {
        try (FileChannel ch = create(root.resolve("f"))) {
            syncDirectory(root);
            write(ch, "lost");
        }
        assertEquals("", read(after().resolve("f")));
    }

    @Test
    @DisplayName("a forced write in a synced directory survives, either force flag")
    void forcedWriteSurvives() throws IOException {
        try (FileChannel a = create(root.resolve("a")); FileChannel b = create(root.resolve("b"))) {
            write(a, "data");
            a.force(false);
            write(b, "meta");
            b.force(true);
            write(b, "+lost");
            syncDirectory(root);
        }
        Path out = after();
        assertEquals("data", read(out.resolve("a")));
        assertEquals("meta", read(out.resolve("b")));
    }

    @Test
    @DisplayName("a forced new file whose directory was not synced is gone")
    void newFileNeedsItsDirectorySynced() throws IOException {
        try (FileChannel ch = create(root.resolve("f"))) {
            write(ch, "data");
            ch.force(true);
        }
        assertFalse(Files.exists(after().resolve("f")));
    }

    @Test
    @DisplayName("a rename without a directory sync is gone; with it, kept (an atomic replace)")
    void renameNeedsTheDirectorySync() throws IOException {
        replace(root.resolve("kept"), "old".getBytes(StandardCharsets.UTF_8));
        replace(root.resolve("unsynced"), "old".getBytes(StandardCharsets.UTF_8));
        replace(root.resolve("kept"), "new".getBytes(StandardCharsets.UTF_8));
        // the replace's steps without its last one, the directory sync
        try (FileChannel ch = FileChannel.open(root.resolve("unsynced.tmp"), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            write(ch, "new");
            ch.force(true);
        }
        Files.move(root.resolve("unsynced.tmp"), root.resolve("unsynced"), StandardCopyOption.ATOMIC_MOVE,
                StandardCopyOption.REPLACE_EXISTING);
        Path out = after();
        assertEquals("new", read(out.resolve("kept")));
        assertEquals("old", read(out.resolve("unsynced")), "the replaced inode's durable content");
        assertEquals(Set.of("kept", "unsynced"), names(out));
    }

    @Test
    @DisplayName("a delete without a directory sync is undone; with it, the file is gone")
    void deleteNeedsTheDirectorySync() throws IOException {
        replace(root.resolve("a"), "a".getBytes(StandardCharsets.UTF_8));
        replace(root.resolve("b"), "b".getBytes(StandardCharsets.UTF_8));
        Files.delete(root.resolve("a"));
        syncDirectory(root);
        Files.delete(root.resolve("b"));
        Path out = after();
        assertEquals(Set.of("b"), names(out));
        assertEquals("b", read(out.resolve("b")));
    }

    @Test
    @DisplayName("a rename moves the inode: a later force through the old channel shows under the new name")
    void renameMovesIdentity() throws IOException {
        try (FileChannel ch = create(root.resolve("seg.tmp"))) {
            write(ch, "head");
            ch.force(false);
            Files.move(root.resolve("seg.tmp"), root.resolve("seg"), StandardCopyOption.ATOMIC_MOVE);
            syncDirectory(root);
            write(ch, "+body");
            ch.force(false);
        }
        Path out = after();
        assertEquals(Set.of("seg"), names(out));
        assertEquals("head+body", read(out.resolve("seg")));
    }

    @Test
    @DisplayName("a subdirectory needs its parent synced, and its own entries need it synced")
    void directoriesNeedTheirOwnSyncs() throws IOException {
        Files.createDirectories(root.resolve("kept"));
        Files.createDirectories(root.resolve("gone"));
        syncDirectory(root);
        Files.createDirectories(root.resolve("late"));
        replace(root.resolve("kept").resolve("x"), "x".getBytes(StandardCharsets.UTF_8));
        try (FileChannel ch = create(root.resolve("gone").resolve("y"))) {
            write(ch, "y");
            ch.force(true);
        }
        Path out = after();
        assertEquals(Set.of("kept", "gone"), names(out));
        assertEquals(Set.of("x"), names(out.resolve("kept")));
        assertEquals(Set.of(), names(out.resolve("gone")));
    }

    @Test
    @DisplayName("files present when wrapped are durable as they are")
    void wrappedContentIsDurable() throws IOException {
        Path real = tmp.resolve("pre");
        Files.createDirectories(real.resolve("sub"));
        Files.writeString(real.resolve("sub").resolve("f"), "there");
        PowerCutFileSystem pre = PowerCutFileSystem.wrap(real);
        Files.delete(pre.root().resolve("sub").resolve("f"));
        pre.cut();
        pre.materialize(tmp.resolve("pre-after"), Variant.STRICT, 0);
        assertEquals("there", read(tmp.resolve("pre-after").resolve("sub").resolve("f")));
    }

    @Test
    @DisplayName("after the cut every operation throws \"power cut\" and touches nothing")
    void cutRefusesEverything() throws IOException {
        Path f = root.resolve("f");
        FileChannel ch = create(f);
        write(ch, "before");
        long ops = fs.operations();
        fs.cutAt(ops + 2);
        write(ch, "+one"); // operation ops + 1 is still done
        IOException e = assertThrows(IOException.class, () -> write(ch, "+two"));
        assertEquals("power cut", e.getMessage());
        assertTrue(fs.isCut());
        assertThrows(IOException.class, () -> ch.force(true));
        assertThrows(IOException.class, () -> ch.truncate(0));
        assertThrows(IOException.class, () -> create(root.resolve("g")));
        assertThrows(IOException.class, () -> Files.delete(f));
        assertThrows(IOException.class, () -> Files.move(f, root.resolve("h")));
        assertThrows(IOException.class, () -> Files.size(f));
        assertThrows(IOException.class, () -> Files.createDirectory(root.resolve("d")));
        ch.close(); // closing is never refused
        assertEquals(ops + 1, fs.operations());
        Path real = tmp.resolve("live");
        assertEquals(Set.of("f"), names(real));
        assertEquals("before+one", read(real.resolve("f")));
    }

    @Test
    @DisplayName("FileChannel.lock and tryLock work and are released")
    void locksWork() throws IOException {
        try (FileChannel ch = FileChannel.open(root.resolve("lock"), StandardOpenOption.CREATE,
                StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            FileLock l = ch.tryLock(Long.MAX_VALUE - 1, 1, false);
            assertNotNull(l);
            assertTrue(l.isValid());
            assertTrue(l.channel() == ch);
            l.release();
            assertFalse(l.isValid());
            FileLock l2 = ch.lock();
            assertTrue(l2.isValid());
            l2.release();
        }
        // a second process would be refused while held: the same JVM sees an overlapping lock
        try (FileChannel ch = FileChannel.open(root.resolve("lock"), StandardOpenOption.WRITE);
                FileLock l = ch.tryLock()) {
            assertThrows(java.nio.channels.OverlappingFileLockException.class, () -> ch.tryLock());
            assertTrue(l.isValid());
        }
    }

    @Test
    @DisplayName("TORN keeps a seeded prefix of the unsynced appended bytes, STRICT none; rewrites are not torn")
    void tornKeepsAPrefixOfTheAppendedBytes() throws IOException {
        String unsynced = "0123456789".repeat(10);
        try (FileChannel ch = create(root.resolve("log")); FileChannel r = create(root.resolve("rewritten"))) {
            syncDirectory(root);
            write(ch, "synced|");
            ch.force(false);
            write(ch, unsynced);
            write(r, "abcdef");
            r.force(false);
            r.write(ByteBuffer.wrap("XYZ-and-more".getBytes(StandardCharsets.UTF_8)), 0);
        }
        fs.cut();
        Set<Integer> lengths = new HashSet<>();
        for (long seed = 0; seed < 20; seed++) {
            Path out = tmp.resolve("torn-" + seed);
            fs.materialize(out, Variant.TORN, seed);
            String s = read(out.resolve("log"));
            assertTrue(("synced|" + unsynced).startsWith(s), s);
            assertTrue(s.startsWith("synced|"), s);
            lengths.add(s.length());
            assertEquals("abcdef", read(out.resolve("rewritten")));
            Path again = tmp.resolve("torn-again-" + seed);
            fs.materialize(again, Variant.TORN, seed);
            assertArrayEquals(Files.readAllBytes(out.resolve("log")), Files.readAllBytes(again.resolve("log")),
                    "same seed, same bytes");
        }
        assertTrue(lengths.size() > 5, "prefixes of several lengths: " + lengths);
        assertEquals("synced|", read(after(Variant.STRICT, 0).resolve("log")));
    }

    @Test
    @DisplayName("JOURNALED keeps the names up to the last sync of anything and a seeded prefix of the rest, in order")
    void journaledKeepsNamesInOrder() throws IOException {
        replace(root.resolve("y"), "y".getBytes(StandardCharsets.UTF_8));
        try (FileChannel ch = create(root.resolve("x.tmp"))) {
            write(ch, "x");
            ch.force(true); // commits the journal: the name x.tmp too, though its directory was not synced
        }
        Files.move(root.resolve("x.tmp"), root.resolve("x"), StandardCopyOption.ATOMIC_MOVE);
        Files.delete(root.resolve("y"));
        fs.cut();
        Set<Set<String>> seen = new HashSet<>();
        for (long seed = 0; seed < 30; seed++) {
            Path out = tmp.resolve("journaled-" + seed);
            fs.materialize(out, Variant.JOURNALED, seed);
            Set<String> names = names(out);
            assertTrue(Set.of(Set.of("x.tmp", "y"), Set.of("x", "y"), Set.of("x")).contains(names),
                    "a prefix of rename then delete: " + names);
            assertEquals("x", read(out.resolve(names.contains("x") ? "x" : "x.tmp")));
            seen.add(names);
        }
        assertEquals(3, seen.size(), "every prefix comes up: " + seen);
        Path strict = tmp.resolve("strict");
        fs.materialize(strict, Variant.STRICT, 0);
        assertEquals(Set.of("y"), names(strict), "strictly, only the synced directory's names");
    }

    @Test
    @DisplayName("a path of the file system has no java.io.File, so code that needs one is found")
    void toFileIsRefused() {
        assertThrows(UnsupportedOperationException.class, () -> root.toFile());
    }

    @Test
    @DisplayName("Files.createDirectories, listing, attributes and reads go through the wrapper")
    void ordinaryCallsWork() throws IOException {
        Path d = root.resolve("a").resolve("b");
        Files.createDirectories(d);
        Files.writeString(d.resolve("f"), "text");
        assertEquals("text", Files.readString(d.resolve("f")));
        assertEquals(4, Files.size(d.resolve("f")));
        assertTrue(Files.isDirectory(d));
        assertNotNull(Files.readAttributes(d, java.nio.file.attribute.BasicFileAttributes.class).fileKey());
        try (var ds = Files.newDirectoryStream(d)) {
            for (Path p : ds) {
                assertTrue(p.getFileSystem() == fs);
                assertEquals("f", p.getFileName().toString());
            }
        }
        assertTrue(Files.getFileStore(d).getUsableSpace() > 0);
        assertEquals(Set.of(), names(after()));
    }

    private static Set<String> names(Path dir) throws IOException {
        Set<String> out = new HashSet<>();
        try (var ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                out.add(p.getFileName().toString());
            }
        }
        return out;
    }
}

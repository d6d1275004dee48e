package io.edgeloop.buffer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.buffer.cursor.Cursor;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One writable open per buffer directory, across processes and within one; read-only opens beside it. */
class DirectoryLockTest {
    @TempDir
    Path dir;

    /**
     * Child process: opens the buffer named by args[0] for writing, appends a record (unless args[1] is
     * {@code "drain"}: then it drains the records through a cursor and appends nothing), says so, and holds it
     * until killed.
     */
    public static final class Holder {
        private Holder() {
        }

        /**
         * @param args the buffer directory
         * @throws Exception on failure
         */
        public static void main(String[] args) throws Exception {
            try (DurableBuffer b = DurableBuffer.builder().directory(Path.of(args[0])).open()) {
                if (args.length > 1 && args[1].equals("drain")) {
                    Cursor c = b.cursor("gateway");
                    List<BufferedRecord> got = c.poll(100, 1 << 20);
                    c.commit(got.get(got.size() - 1));
                } else {
                    b.append("s", new byte[] {1});
                }
                System.out.println("open");
                System.out.flush();
                Thread.sleep(Long.MAX_VALUE);
            }
        }
    }

    /**
     * Leaves the directory as a writer killed with -9 leaves it: its lock note (written when it opened) and no
     * clean-close note, so the next writable open cannot know whether its writes reached the disk.
     *
     * @param dir the buffer directory
     * @throws IOException when the note cannot be written
     */
    static void leaveAsKilled(Path dir) throws IOException {
        leaveAsKilled(dir, "group");
    }

    /**
     * Leaves the directory as a writer under the given durability killed with -9 leaves it.
     *
     * @param dir        the buffer directory
     * @param durability what its note names ({@code none}, {@code group}, {@code always}), or empty for a note
     *                   without one (written before notes named it)
     * @throws IOException when the note cannot be written
     */
    static void leaveAsKilled(Path dir, String durability) throws IOException {
        Files.writeString(dir.resolve(DirectoryLock.FILE), "pid 999999 (java)" + (durability.isEmpty() ? ""
                : ", durability " + durability) + ", since 2026-11-30T00:00:00Z\n", StandardCharsets.UTF_8);
    }

    private Process startHolder(String... mode) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Holder.class.getName(), dir.toString()));
        cmd.addAll(List.of(mode));
        return new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    }

    @Test
    @DisplayName("a holder that writes no frame (a gateway draining) leaves the clean-close note as it is, so even"
            + " killed with -9 the next open rightly skips the tail sync; its first frame replaces the note with its own")
    void aHolderThatWritesNoFrameLeavesTheCleanNote() throws Exception {
        try (DurableBuffer b = DurableBuffer.builder().directory(dir).open()) {
            b.cursor("gateway");
            b.append("s", new byte[] {0});
            b.append("s", new byte[] {1});
        }
        Path lock = dir.resolve(DirectoryLock.FILE);
        String clean = Files.readString(lock);
        assertTrue(clean.startsWith(DirectoryLock.CLEAN), clean);
        Process child = startHolder("drain");
        try {
            BufferedReader r = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
            assertEquals("open", r.readLine());
            assertEquals(clean, Files.readString(lock), "draining wrote no frame, so the clean note stands");
            // the next opener's error cannot name a holder that left the note alone, and says why
            BufferLockedException e = assertThrows(BufferLockedException.class,
                    () -> DurableBuffer.builder().directory(dir).open());
            assertTrue(e.getMessage().contains("another process") && e.getMessage().contains("written nothing")
                    && e.getMessage().contains(DirectoryLock.CLEAN), e.getMessage());
            child.destroyForcibly();
            assertTrue(child.waitFor(60, TimeUnit.SECONDS));
        } finally {
            child.destroyForcibly();
        }
        assertEquals(clean, Files.readString(lock));
        try (DurableBuffer b = DurableBuffer.builder().directory(dir).open()) {
            assertEquals(0, b.metrics().syncs(), "no frame was written since the clean close: nothing to sync");
            assertEquals(2, DiskFullTest.readAll(b).size());
            assertEquals(2, b.lastSequence("s"));
            // the killed drain's commit survived in its pending slot: the cursor has nothing left to read
            assertTrue(b.cursor("gateway").poll(10, 1 << 20).isEmpty());
            assertEquals(clean, Files.readString(lock), "opening and reading wrote nothing to the lock file");
            b.append("s", new byte[] {2});
            String mine = Files.readString(lock);
            assertTrue(mine.startsWith("pid " + ProcessHandle.current().pid()), "the first frame claims the note: " + mine);
        }
        String after = Files.readString(lock);
        assertTrue(after.startsWith(DirectoryLock.CLEAN + " by pid " + ProcessHandle.current().pid()), after);
        try (DurableBuffer b = DurableBuffer.builder().directory(dir).open()) {
            assertEquals(0, b.metrics().syncs());
            assertEquals(3, DiskFullTest.readAll(b).size());
        }
    }

    @Test
    @DisplayName("a writable open syncs the log's tail after its last writer was killed (its writes may be in the page"
            + " cache only), even when a clean close came before; not after a clean close")
    void openSyncsTheTailOnlyAfterAnUncleanEnd() throws Exception {
        try (DurableBuffer b = DurableBuffer.builder().directory(dir).open()) {
            b.append("s", new byte[] {0});
        }
        assertTrue(Files.readString(dir.resolve(DirectoryLock.FILE)).startsWith(DirectoryLock.CLEAN));
        Process child = startHolder();
        try {
            BufferedReader r = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
            assertEquals("open", r.readLine());
            child.destroyForcibly();
            assertTrue(child.waitFor(60, TimeUnit.SECONDS));
        } finally {
            child.destroyForcibly();
        }
        try (DurableBuffer b = DurableBuffer.builder().directory(dir).open()) {
            assertEquals(1, b.metrics().syncs(), "the killed writer's note replaced the clean one: the open synced");
            assertEquals(2, DiskFullTest.readAll(b).size());
        }
        try (DurableBuffer b = DurableBuffer.builder().directory(dir).open()) {
            assertEquals(0, b.metrics().syncs(), "closed cleanly: everything was synced");
            b.append("s", new byte[] {3});
        }
        try (DurableBuffer b = DurableBuffer.builder().directory(dir).open()) {
            assertEquals(0, b.metrics().syncs(), "closed cleanly after appending: its close synced them");
            assertEquals(3, DiskFullTest.readAll(b).size());
        }
        leaveAsKilled(dir);
        try (DurableBuffer b = DurableBuffer.builder().directory(dir).open()) {
            assertEquals(1, b.metrics().syncs());
        }
    }

    @Test
    @DisplayName("a second writable open of the same directory in this process fails naming the directory; read-only"
            + " works beside it; after close it opens again")
    void secondWriterInProcessIsRefused() throws Exception {
        try (DurableBuffer b = DurableBuffer.builder().directory(dir).open()) {
            b.append("s", new byte[] {1});
            BufferLockedException e = assertThrows(BufferLockedException.class,
                    () -> DurableBuffer.builder().directory(dir).open());
            assertTrue(e.getMessage().contains(dir.toString()) && e.getMessage().contains("this process"),
                    e.getMessage());
            try (DurableBuffer ro = DurableBuffer.builder().directory(dir).readOnly(true).open()) {
                assertEquals(1, DiskFullTest.readAll(ro).size());
            }
            // the refused open did not drop this process's OS lock: another process is still refused
            Process child = startHolder();
            try {
                assertTrue(child.waitFor(60, TimeUnit.SECONDS), "the child gives up at once");
                assertTrue(child.exitValue() != 0, "another process opened the directory beside the holder");
                assertEquals("", new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip());
            } finally {
                child.destroyForcibly();
            }
            b.append("s", new byte[] {2}); // the refused open did not disturb the holder
        }
        try (DurableBuffer again = DurableBuffer.builder().directory(dir).open()) {
            assertEquals(2, DiskFullTest.readAll(again).size());
        }
    }

    @Test
    @DisplayName("another process holding the directory makes open fail with its pid; once it is killed (-9) the"
            + " directory opens")
    void writerInAnotherProcessIsRefused() throws Exception {
        Process child = startHolder();
        try {
            BufferedReader r = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
            assertEquals("open", r.readLine());
            BufferLockedException e = assertThrows(BufferLockedException.class,
                    () -> DurableBuffer.builder().directory(dir).open());
            assertTrue(e.getMessage().contains("another process") && e.getMessage().contains("pid " + child.pid()),
                    e.getMessage());
            try (DurableBuffer ro = DurableBuffer.builder().directory(dir).readOnly(true).open()) {
                assertEquals(1, DiskFullTest.readAll(ro).size());
            }
            child.destroyForcibly();
            assertTrue(child.waitFor(60, TimeUnit.SECONDS));
            try (DurableBuffer b = DurableBuffer.builder().directory(dir).open()) {
                assertEquals(1, DiskFullTest.readAll(b).size());
            }
        } finally {
            child.destroyForcibly();
        }
    }
}

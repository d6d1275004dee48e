package io.edgeloop.buffer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One writable open per buffer directory, across processes and within one; read-only opens beside it. */
class DirectoryLockTest {
    @TempDir
    Path dir;

    /** Child process: opens the buffer named by args[0] for writing, says so, and holds it until killed. */
    public static final class Holder {
        private Holder() {
        }

        /**
         * @param args the buffer directory
         * @throws Exception on failure
         */
        public static void main(String[] args) throws Exception {
            try (DurableBuffer b = DurableBuffer.builder().directory(Path.of(args[0])).deviceId("child").open()) {
                b.append("s", new byte[] {1});
                System.out.println("open");
                System.out.flush();
                Thread.sleep(Long.MAX_VALUE);
            }
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
        Process child = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Holder.class.getName(), dir.toString()))
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
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

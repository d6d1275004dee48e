package io.edgeloop.ota.agent;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Temporary files of atomic writes killed mid-write ({@code .<name>.<pid>.<n>.tmp}) are named by pid, so no later
 * write reused them: each such kill left one in the state directory for good (review s13-ota: 1 in 487 SIGKILLs,
 * up to a 4 MiB manifest). Opening the storage deletes those of dead writers, and nothing else.
 */
class StaleTemporaryFilesTest {
    @Test
    @DisplayName("opening the state directory deletes temporary files of dead writers, keeps live writers' and other files")
    void deletesOnlyDeadWritersTemporaryFiles(@TempDir Path dir) throws Exception {
        Process p = new ProcessBuilder("true").start();
        p.waitFor();
        long dead = p.pid();
        Process running = new ProcessBuilder("sleep", "600").start(); // a live writer of an SDK before locks
        long alive = running.pid();
        Path state = Files.createDirectories(dir.resolve("state"));
        Path slot = Files.createDirectories(state.resolve("slot-a"));
        Path[] stale = {
            write(state.resolve(".counters.json." + dead + ".3.tmp")),
            write(state.resolve(".boot.json.4194305.1.tmp")), // above Linux's highest pid: never alive
            write(slot.resolve(".manifest.json." + dead + ".7.tmp")),
            // this pid's, not in use here: a predecessor's with the same pid (an agent that is always PID 1)
            io.edgeloop.ota.file.Predecessors.backdate(write(state.resolve(".boot.json." + ProcessHandle.current().pid() + ".2.tmp"))),
        };
        Path[] kept = {
            write(state.resolve(".counters.json." + alive + ".9.tmp")), // a live process: a write may be under way
            write(state.resolve("counters.json")),
            write(state.resolve("notes.tmp")),
            write(state.resolve(".x." + dead + ".tmp")), // not the writer's pattern
            write(slot.resolve("manifest.json")),
        };
        FileDeviceStorage storage;
        try {
            storage = new FileDeviceStorage(state);
        } finally {
            running.destroyForcibly();
            running.waitFor();
        }
        for (Path f : stale) {
            assertFalse(Files.exists(f), f + " was left by a dead writer");
        }
        for (Path f : kept) {
            assertTrue(Files.exists(f), f + " must stay");
        }
        assertArrayEquals(f(state.resolve("counters.json")), storage.read("counters.json").orElseThrow());
    }

    private static Path write(Path f) throws Exception {
        Files.write(f, f(f));
        return f;
    }

    private static byte[] f(Path f) {
        return ("content of " + f.getFileName()).getBytes(StandardCharsets.UTF_8);
    }
}

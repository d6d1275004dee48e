package io.edgeloop.ota.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.api.target.TargetProfile;
import io.edgeloop.ota.bundle.BundleWriter;
import io.edgeloop.ota.testing.Fixtures;
import io.edgeloop.ota.trust.KeyAlgorithm;
import io.edgeloop.ota.trust.SigningKey;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Writers of files in a directory they do not own (a bundle, a trust file, a key pair, where the user says) left
 * the temporary file of a write killed before its rename there for good: a hidden bundle-sized file, or a hidden
 * copy of a private key that outlived the key pair (review s14). The next write of the same file deletes those of
 * processes no longer alive, and nothing else.
 */
class KilledWriterLeftoversTest {
    static final SigningKey K = Fixtures.key(KeyAlgorithm.ED25519, 77);
    static long dead;

    @BeforeAll
    static void deadPid() throws Exception {
        Process p = new ProcessBuilder("true").start();
        p.waitFor();
        dead = p.pid();
    }

    static Path leftover(Path dir, String name, long pid) throws Exception {
        return Files.writeString(dir.resolve("." + name + "." + pid + ".1.tmp"), "left by a kill");
    }

    @Test
    @DisplayName("deleteStaleTemporaryFilesOf deletes only that file's temporary files of dead processes and this "
            + "process's own not in use")
    void onlyThatNameOfDeadProcesses(@TempDir Path dir) throws Exception {
        Process running = new ProcessBuilder("sleep", "600").start();
        try {
            Path mine = leftover(dir, "x.bundle", dead);
            Path other = leftover(dir, "y.bundle", dead);
            Path prefix = leftover(dir, "x.bundle.old", dead);
            // a live process's (an SDK before locks held none): its write may be under way
            Path live = leftover(dir, "x.bundle", running.pid());
            // this pid's, but nothing here has it in use: a predecessor's with the same pid (a container's PID 1)
            Path samePid = Predecessors.backdate(leftover(dir, "x.bundle", ProcessHandle.current().pid()));
            assertEquals(2, AtomicFiles.deleteStaleTemporaryFilesOf(dir.resolve("x.bundle")));
            assertFalse(Files.exists(mine) || Files.exists(samePid));
            assertTrue(Files.exists(other) && Files.exists(prefix) && Files.exists(live));
        } finally {
            running.destroyForcibly();
            running.waitFor();
        }
    }

    @Test
    @DisplayName("writing a bundle, a trust file or a key pair deletes what killed writes of that file left")
    void writersDeleteTheirLeftovers(@TempDir Path dir) throws Exception {
        Path[] stale = {
            leftover(dir, "model.bundle", dead), leftover(dir, "trust.json", dead),
            leftover(dir, "private.pem", dead), leftover(dir, "public.pem", 4194305), // above Linux's highest pid
        };
        Path unrelated = leftover(dir, "notes.txt", dead);
        var draft = Fixtures.draft("har", 1, 0, 10, TargetProfile.JVM);
        BundleWriter.write(draft.build(), draft.artifacts, List.of(K), false, dir.resolve("model.bundle"));
        Fixtures.trust(1, K).write(dir.resolve("trust.json"));
        Fixtures.key(KeyAlgorithm.ED25519, 78).writePemPair(dir);
        for (Path f : stale) {
            // old code: each stayed for good (the private.pem one a hidden copy of a private key)
            assertFalse(Files.exists(f), f + " was left by a killed write of that file");
        }
        assertTrue(Files.exists(unrelated), "another file's leftovers are not this writer's to delete");
    }
}

package io.edgeloop.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.api.deploy.DeployerProvider;
import io.edgeloop.tck.deploy.FolderDeployerProvider;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The deployer kit against a correct directory deployer and against copies of it with one defect each: a channel
 * record rewritten in place, one copy buffer for every download, fetches into one file not serialised, a
 * resumed download not checked, a descriptor left open by every close(), and a publication pointing at the
 * caller's file instead of a copy.
 */
@DisplayName("The deployer contract kit")
class DeployerKitTest {

    /** The correct folder deployer. */
    static class Folder extends DeployerContractTest {
        String fault() {
            return "none";
        }

        @Override
        protected DeployerProvider provider() {
            return new FolderDeployerProvider();
        }

        @Override
        protected ComponentConfig config(Path workDir) {
            return ComponentConfig.of(Map.of("root", workDir.toString(), "fault", fault()));
        }
    }

    /** Rewrites a channel's record in place. */
    static class TornLatest extends Folder {
        @Override
        String fault() {
            return "torn-latest";
        }
    }

    /** Copies every fetch through one buffer. */
    static class SharedBuffer extends Folder {
        @Override
        String fault() {
            return "shared-buffer";
        }
    }

    /** Lets fetches into one destination append to each other. */
    static class Unlocked extends Folder {
        @Override
        String fault() {
            return "unlocked";
        }
    }

    /** Leaves a descriptor open behind every close(). */
    static class Leaky extends Folder {
        @Override
        String fault() {
            return "leaky";
        }
    }

    /** Keeps a resumed download without checking its digest. */
    static class TrustingResume extends Folder {
        @Override
        String fault() {
            return "trusting-resume";
        }
    }

    /** Starts a daemon thread per deployer that close() never stops. */
    static class DaemonLeak extends Folder {
        @Override
        String fault() {
            return "daemon-leak";
        }
    }

    /** Publishes an empty bundle for a missing file. */
    static class MissingOk extends Folder {
        @Override
        String fault() {
            return "missing-ok";
        }
    }

    /** Publishes a pointer to the caller's file instead of a copy. */
    static class Lazy extends Folder {
        @Override
        String fault() {
            return "lazy";
        }
    }

    @org.junit.jupiter.api.AfterAll
    static void stopLeakedThreads() {
        FolderDeployerProvider.stopLeakedThreads();
    }

    @Test
    @DisplayName("fails a deployer whose close() leaves a daemon thread running")
    void failsDaemonLeak() {
        KitResults r = KitResults.run(DaemonLeak.class);
        assertEquals(Set.of("closeReleasesThreadsAndFiles"), r.failed(), r.describeFailures());
        assertTrue(r.describeFailures().contains("'dep-watch'"), r.describeFailures());
    }

    @Test
    @DisplayName("fails a deployer that publishes an empty bundle for a missing file")
    void failsMissingOk() {
        KitResults r = KitResults.run(MissingOk.class);
        assertEquals(Set.of("refusesMissingBundle"), r.failed(), r.describeFailures());
    }

    @Test
    @DisplayName("fails a deployer whose publication points at the caller's file, saying publish must keep a copy")
    void failsLazy() {
        KitResults r = KitResults.run(Lazy.class);
        assertEquals(Set.of("keepsBytesWhenTheSourceIsDeleted", "keepsBytesWhenTheSourceIsOverwritten"), r.failed(),
                r.describeFailures());
        assertTrue(r.describeFailures().contains("publish must keep its own copy of the bundle"), r.describeFailures());
        assertTrue(r.describeFailures().contains("after the published file was deleted"), r.describeFailures());
        assertTrue(r.describeFailures().contains("after the published file was overwritten in place"),
                r.describeFailures());
    }

    @Test
    @DisplayName("passes the correct deployer")
    void passesFolder() {
        KitResults r = KitResults.run(Folder.class);
        assertEquals(Set.of(), r.failed(), r.describeFailures());
        assertEquals(20, r.tests.succeeded().count()); // and isDeclaredInModuleInfo skipped: no module-info
    }

    @Test
    @DisplayName("fails a deployer whose poll can read a half-written channel record, every time")
    void failsTornLatest() {
        for (int run = 0; run < 3; run++) {
            KitResults r = KitResults.run(TornLatest.class);
            assertEquals(Set.of("publishesPollsAndFetchesConcurrently"), r.failed(), "run " + run
                    + r.describeFailures());
        }
    }

    @Test
    @DisplayName("fails a deployer that copies every download through one shared buffer, every time")
    void failsSharedBuffer() {
        for (int run = 0; run < 3; run++) {
            KitResults r = KitResults.run(SharedBuffer.class);
            assertTrue(r.failed().contains("fetchesConcurrentlyIntoOwnFiles"), "run " + run + ": " + r.failed()
                    + r.describeFailures());
            assertTrue(Set.of("publishesPollsAndFetchesConcurrently", "fetchesConcurrentlyIntoOwnFiles",
                    "fetchesConcurrentlyIntoOneFile").containsAll(r.failed()), r.failed() + r.describeFailures());
        }
    }

    @Test
    @DisplayName("fails a deployer whose fetches into one file append to each other, every time")
    void failsUnlocked() {
        for (int run = 0; run < 3; run++) {
            KitResults r = KitResults.run(Unlocked.class);
            assertEquals(Set.of("fetchesConcurrentlyIntoOneFile"), r.failed(), "run " + run + r.describeFailures());
        }
    }

    @Test
    @DisplayName("fails a deployer that keeps a resumed download without checking its digest")
    void failsTrustingResume() {
        KitResults r = KitResults.run(TrustingResume.class);
        assertEquals(Set.of("neverKeepsAPartialOfAnotherBundle"), r.failed(), r.describeFailures());
    }

    @Test
    @DisplayName("fails a deployer whose close() leaves a descriptor open")
    void failsLeaky() {
        KitResults r = KitResults.run(Leaky.class);
        assertEquals(Set.of("closeReleasesThreadsAndFiles"), r.failed(), r.describeFailures());
    }
}

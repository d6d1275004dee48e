package io.edgeloop.ota.agent;

import static io.edgeloop.ota.agent.DeviceAgentTest.TRUST;
import static io.edgeloop.ota.agent.DeviceAgentTest.K;
import static io.edgeloop.ota.agent.DeviceAgentTest.assertServes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.api.target.TargetProfile;
import io.edgeloop.ota.json.CanonicalJson;
import io.edgeloop.ota.testing.Fixtures;
import io.edgeloop.tck.Tmpfs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A full disk during an install (review s6 item 8): the attempt is not counted, the listener hears of the failure,
 * the exception reaches the caller, and the same sequence installs once space is freed, also after a restart.
 * Runs on a real 256 KiB tmpfs.
 */
class StorageFullTest {
    static final TargetProfile M3 = TargetProfile.CORTEX_M3;

    @Test
    @DisplayName("on a real full tmpfs: a failed install is reported FAILED, not counted, and retried successfully")
    void fullDiskDoesNotBurnTheSequence(@TempDir Path dir) throws Exception {
        try (Tmpfs fs = Tmpfs.mount(dir.resolve("mnt"), 256 * 1024, "StorageFullTest needs a real full disk")) {
            Path state = fs.path().resolve("state");
            List<AgentStatus> reports = new ArrayList<>();
            DeviceAgent a = AgentTestSupport.agent(new FileDeviceStorage(state), TRUST, M3).listener(reports::add)
                    .open();
            assertEquals(InstallOutcome.INSTALLED, a.install(Fixtures.draft("har", 7, 0, 10, M3).sign(K)).outcome());
            byte[] v9 = Fixtures.paddedDraft("har", 9, 11, 64 * 1024, M3).sign(K);
            Path filler = fs.fill("filler", 512);
            try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(filler,
                    java.nio.file.StandardOpenOption.WRITE)) {
                ch.truncate(ch.size() - 8 * 1024); // leave 8 KiB: the counters fit, the 64 KiB artifact does not
            }

            IOException e = assertThrows(IOException.class, () -> a.install(v9));
            assertTrue(e.getMessage().contains("No space left"), e.toString());
            AgentStatus failed = reports.get(reports.size() - 1);
            assertEquals(Optional.of(InstallOutcome.FAILED), failed.lastOutcome(), "the listener hears of it");
            assertTrue(failed.lastMessage().contains("sequence 9") && failed.lastMessage().contains("No space left"),
                    failed.lastMessage());
            assertEquals(7, CanonicalJson.parse(Files.readAllBytes(state.resolve("counters.json"))).path("models")
                    .path("har").path("highestAttempted").asLong(), "the attempt is undone");
            assertServes(a, 10);
            assertEquals(7, a.status().activeSequence());

            assertEquals(7, AgentTestSupport.open(new FileDeviceStorage(state), TRUST, M3).status().activeSequence(),
                    "a restart on the full disk serves the confirmed model");

            Files.delete(filler);
            InstallReport r = a.install(v9);
            assertEquals(InstallOutcome.INSTALLED, r.outcome(), "no 'rollback or replay' refusal: " + r.message());
            assertServes(a, 11);
            assertServes(AgentTestSupport.open(new FileDeviceStorage(state), TRUST, M3), 11);
        }
    }
}

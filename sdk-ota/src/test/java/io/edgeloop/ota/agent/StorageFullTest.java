package io.edgeloop.ota.agent;

import static io.edgeloop.ota.agent.DeviceAgentTest.TRUST;
import static io.edgeloop.ota.agent.DeviceAgentTest.K;
import static io.edgeloop.ota.agent.DeviceAgentTest.assertServes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.api.deploy.Deployer;
import io.edgeloop.api.target.TargetProfile;
import io.edgeloop.ota.deploy.DirectoryDeployerProvider;
import io.edgeloop.ota.json.CanonicalJson;
import io.edgeloop.ota.testing.Fixtures;
import io.edgeloop.tck.Tmpfs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

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

            // refused before anything is written, naming what the slot needs (it used to fail mid-write with a bare
            // "No space left on device")
            IOException e = assertThrows(IOException.class, () -> a.install(v9));
            assertTrue(e.getMessage().startsWith("not enough space to install har 1.9.0 (sequence 9) into slot-"),
                    e.getMessage());
            assertTrue(e.getMessage().contains("nothing was written, the device kept its model"), e.getMessage());
            AgentStatus failed = reports.get(reports.size() - 1);
            assertEquals(Optional.of(InstallOutcome.FAILED), failed.lastOutcome(), "the listener hears of it");
            assertEquals("storage: " + e.getMessage(), failed.lastMessage());
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

    @ParameterizedTest(name = "disk filled at {0}")
    @CsvSource({"SLOT_INVALIDATED, slot-[ab]/artifact", "GOLDEN_PASSED, boot.json"})
    @DisplayName("on a real tmpfs: a write of the install that still meets a full disk names the file, and nothing "
            + "is counted")
    void fullDiskMidWriteNamesTheFile(InstallStep at, String file, @TempDir Path dir) throws Exception {
        try (Tmpfs fs = Tmpfs.mount(dir.resolve("mnt"), 256 * 1024, "StorageFullTest needs a real full disk")) {
            Path state = fs.path().resolve("state");
            assertEquals(InstallOutcome.INSTALLED, AgentTestSupport.open(new FileDeviceStorage(state), TRUST, M3)
                    .install(Fixtures.draft("har", 7, 0, 10, M3).sign(K)).outcome());
            // the space check passes; another writer fills the disk at step `at`
            List<Path> filler = new ArrayList<>();
            DeviceAgent a = AgentTestSupport.agent(new FileDeviceStorage(state), TRUST, M3).crashInjector(step -> {
                if (step == at && filler.isEmpty()) {
                    try {
                        filler.add(fs.fill("filler", 512));
                    } catch (IOException full) {
                        throw new java.io.UncheckedIOException(full);
                    }
                }
            }).open();
            byte[] v9 = Fixtures.paddedDraft("har", 9, 11, 64 * 1024, M3).sign(K);
            IOException e = assertThrows(IOException.class, () -> a.install(v9));
            // it was a bare "No space left on device" from FileDeviceStorage.writeSynced (for boot.json, outside
            // the slot writes' wording until review 3's R3Sweep)
            assertTrue(e.getMessage().matches("not enough space to write " + file + ": .*No space left on "
                    + "device.*"), e.getMessage());
            assertEquals("storage: " + e.getMessage() + " while installing har 1.9.0 (sequence 9); the device kept "
                    + "its model and may install this sequence again", a.status().lastMessage());
            assertServes(a, 10);
            assertEquals(7, AgentTestSupport.open(new FileDeviceStorage(state), TRUST, M3).status().activeSequence(),
                    "a restart serves the confirmed model");
            Files.delete(filler.get(0));
            assertEquals(InstallOutcome.INSTALLED, a.install(v9).outcome());
            assertServes(AgentTestSupport.open(new FileDeviceStorage(state), TRUST, M3), 11);
        }
    }

    /**
     * A device polling {@code stable} on a tmpfs: it runs 7 (seed 10), 9 (64 KiB) is published, and a filler leaves
     * {@code free.applyAsLong(v9's size)} bytes usable.
     */
    private record Polling(Path state, Path staging, DeviceAgent agent, Path v9, Path filler) {
    }

    private static Polling polling(Tmpfs fs, Deployer d, Path dir, java.util.function.LongUnaryOperator free)
            throws Exception {
        Path state = fs.path().resolve("state");
        Path staging = fs.path().resolve("staging");
        DeviceAgent a = AgentTestSupport.agent(new FileDeviceStorage(state), TRUST, M3).staging(staging).open();
        assertEquals(InstallOutcome.INSTALLED, a.install(Fixtures.draft("har", 7, 0, 10, M3).sign(K)).outcome());
        Path v9 = Files.write(dir.resolve("v9.bundle"), Fixtures.paddedDraft("har", 9, 11, 64 * 1024, M3).sign(K));
        d.publish(v9, "stable");
        Path filler = fs.fill("filler", 512);
        long usable = Files.getFileStore(fs.path()).getUsableSpace();
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(filler,
                java.nio.file.StandardOpenOption.WRITE)) {
            ch.truncate(ch.size() - (free.applyAsLong(Files.size(v9)) - usable));
        }
        return new Polling(state, staging, a, v9, filler);
    }

    @Test
    @DisplayName("on a real tmpfs: a poll whose slot does not fit keeps the verified download and fetches it once")
    void pollKeepsTheDownloadWhenTheSlotDoesNotFit(@TempDir Path dir) throws Exception {
        try (Tmpfs fs = Tmpfs.mount(dir.resolve("mnt"), 256 * 1024, "StorageFullTest needs a real full disk");
                Deployer d = new DirectoryDeployerProvider().create(ComponentConfig.of(Map.of("root",
                        dir.resolve("channels").toString())))) {
            Polling p = polling(fs, d, dir, size -> size + 16 * 1024); // the download fits, its slot beside it not
            Path staging = p.staging();
            DeviceAgent a = p.agent();
            Path v9 = p.v9();
            Path filler = p.filler();

            IOException e = assertThrows(IOException.class, () -> a.poll(d, "stable"));
            assertTrue(e.getMessage().startsWith("not enough space to install har 1.9.0 (sequence 9) into slot-"),
                    e.getMessage());
            Path download;
            try (java.util.stream.Stream<Path> s = Files.list(staging)) {
                download = s.filter(f -> f.getFileName().toString().startsWith("download-")).findFirst()
                        .orElseThrow(() -> new AssertionError("the verified download was deleted"));
            }
            assertEquals(Files.size(v9), Files.size(download));
            BasicFileAttributes before = Files.readAttributes(download, BasicFileAttributes.class);

            // the next poll does not fetch it again: the same file, not rewritten
            IOException again = assertThrows(IOException.class, () -> a.poll(d, "stable"));
            assertEquals(e.getMessage(), again.getMessage());
            BasicFileAttributes after = Files.readAttributes(download, BasicFileAttributes.class);
            assertEquals(before.fileKey(), after.fileKey());
            assertEquals(before.lastModifiedTime(), after.lastModifiedTime());
            assertServes(a, 10);

            // a poll that finds nothing to fetch drops it (it stayed forever, also after a withdraw)
            assertEquals(InstallOutcome.NO_UPDATE, a.poll(d, "beta").outcome());
            assertTrue(Files.notExists(download), "a kept download outlives its use");

            Files.delete(filler);
            assertEquals(InstallOutcome.INSTALLED, a.poll(d, "stable").outcome());
            assertTrue(Files.notExists(download), "an installed download is deleted");
            assertServes(a, 11);
        }
    }

    @Test
    @DisplayName("on a real tmpfs: a poll whose slot fits once the download is deleted installs, the download's "
            + "blocks counting as free")
    void pollCountsTheDownloadAsReclaimable(@TempDir Path dir) throws Exception {
        try (Tmpfs fs = Tmpfs.mount(dir.resolve("mnt"), 256 * 1024, "StorageFullTest needs a real full disk");
                Deployer d = new DirectoryDeployerProvider().create(ComponentConfig.of(Map.of("root",
                        dir.resolve("channels").toString())))) {
            Polling p = polling(fs, d, dir, size -> 156 * 1024); // review 3's R3Space: 159,744 usable before the poll
            DeviceAgent a = p.agent();
            long before = Files.getFileStore(fs.path()).getUsableSpace();
            long download = (Files.size(p.v9()) + 4095) / 4096 * 4096;
            // the download fits, and the slot beside it does not; the slot alone does
            assertTrue(before >= download && before - download < 88 * 1024 && before >= 88 * 1024,
                    before + " usable, download " + download);

            // it was refused at every poll: "not enough space to install har 1.9.0 (sequence 9) into slot-b: ..."
            InstallReport r = a.poll(d, "stable");
            assertEquals(InstallOutcome.INSTALLED, r.outcome(), r.message());
            assertServes(a, 11);
            try (java.util.stream.Stream<Path> files = Files.list(p.staging())) {
                assertEquals(List.of(), files.toList());
            }
            assertServes(AgentTestSupport.open(new FileDeviceStorage(p.state()), TRUST, M3), 11);
        }
    }
}

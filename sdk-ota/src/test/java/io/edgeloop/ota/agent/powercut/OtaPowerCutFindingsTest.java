package io.edgeloop.ota.agent.powercut;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.ota.agent.AgentStatus;
import io.edgeloop.ota.agent.DeviceAgent;
import io.edgeloop.ota.agent.FileDeviceStorage;
import io.edgeloop.ota.agent.InstallOutcome;
import io.edgeloop.ota.agent.InstallStep;
import io.edgeloop.tck.powercut.MemoryTempDir;
import io.edgeloop.tck.powercut.PowerCutFileSystem;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@link OtaPowerCutTest}'s seeded cuts found, each reduced to the few calls that show it (the seed itself is
 * kept there as a named test).
 */
class OtaPowerCutFindingsTest {
    @TempDir(factory = MemoryTempDir.class)
    Path tmp;

    @Test
    @DisplayName("a read that fails is an IOException, not an absent value (DeviceStorage.read: @throws when reading"
            + " fails)")
    void failedReadIsNotAnAbsentValue() throws IOException {
        Files.createDirectories(tmp.resolve("live"));
        PowerCutFileSystem fs = PowerCutFileSystem.wrap(tmp.resolve("live")).realSyncs(false);
        FileDeviceStorage s = new FileDeviceStorage(fs.root().resolve("state"));
        s.writeAtomic("boot.json", "{}".getBytes(StandardCharsets.UTF_8));
        s.writeAtomic("slot-a/slot.json", "{}".getBytes(StandardCharsets.UTF_8));
        fs.cut();
        // Files.isRegularFile and isDirectory answer false on any error: the values read as missing
        assertThrows(IOException.class, () -> s.read("boot.json"));
        assertThrows(IOException.class, () -> s.read("slot-a/slot.json"));
        assertThrows(IOException.class, () -> s.size("slot-a/slot.json"));
    }

    @Test
    @DisplayName("storage failing while the staged slot is read back fails the install; it is not refused as "
            + "\"does not read back as written\"")
    void readBackFailureIsAStorageFailure() throws IOException {
        Files.createDirectories(tmp.resolve("live"));
        PowerCutFileSystem fs = PowerCutFileSystem.wrap(tmp.resolve("live")).realSyncs(false);
        List<AgentStatus> reports = new ArrayList<>();
        DeviceAgent agent = OtaPowerCutTest.builder(new FileDeviceStorage(fs.root().resolve("state")), "har")
                .listener(reports::add)
                .crashInjector(step -> {
                    if (step == InstallStep.SLOT_WRITTEN) {
                        fs.cut(); // the slot is written; its read-back is the first thing to meet the failure
                    }
                })
                .open();
        IOException e = assertThrows(IOException.class, () -> agent.install(OtaPowerCutTest.bundle("har", 1, 0,
                OtaPowerCutTest.seedOf("har", 1))));
        assertTrue(fs.isCut(), e.toString());
        // InstallOutcome.FAILED: "the device's storage failed before the switch ... the install threw"; a REFUSED
        // (digest) would have told the fleet that the bundle was bad
        assertEquals(Optional.of(InstallOutcome.FAILED), reports.get(reports.size() - 1).lastOutcome(),
                reports.get(reports.size() - 1).lastMessage());
    }
}

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

    @Test
    @DisplayName("writeAtomic whose directory sync fails throws; it does not return as if the value were durable")
    void failedDirectorySyncFailsTheWrite() throws IOException {
        // the operation a writeAtomic ends with, counted on a file system of its own (operations are deterministic)
        Files.createDirectories(tmp.resolve("dry"));
        PowerCutFileSystem dry = PowerCutFileSystem.wrap(tmp.resolve("dry")).realSyncs(false);
        FileDeviceStorage d = new FileDeviceStorage(dry.root().resolve("state"));
        d.writeAtomic("boot.json", "old".getBytes(StandardCharsets.UTF_8));
        d.writeAtomic("boot.json", "new".getBytes(StandardCharsets.UTF_8));
        long last = dry.operations();
        List<String> ops = dry.recentOperations();
        assertTrue(ops.get(ops.size() - 1).startsWith(last + " fsync "), "the write ends with the directory sync: "
                + ops);

        Files.createDirectories(tmp.resolve("live"));
        PowerCutFileSystem fs = PowerCutFileSystem.wrap(tmp.resolve("live")).realSyncs(false);
        FileDeviceStorage s = new FileDeviceStorage(fs.root().resolve("state"));
        s.writeAtomic("boot.json", "old".getBytes(StandardCharsets.UTF_8));
        fs.cutAt(last); // the directory sync of the second write fails, after its rename
        IOException e = assertThrows(IOException.class,
                () -> s.writeAtomic("boot.json", "new".getBytes(StandardCharsets.UTF_8)),
                "DeviceStorage.writeAtomic: \"replaces a value atomically and durably\"; the rename is not durable");
        assertTrue(fs.isCut(), e.toString());
        fs.materialize(tmp.resolve("after"), PowerCutFileSystem.Variant.STRICT, 0);
        assertEquals("old", Files.readString(tmp.resolve("after").resolve("state").resolve("boot.json")),
                "what a power cut leaves: the rename was never made durable");
    }
}

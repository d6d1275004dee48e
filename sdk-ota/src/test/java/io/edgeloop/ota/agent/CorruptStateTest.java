package io.edgeloop.ota.agent;

import static io.edgeloop.ota.agent.AgentTestSupport.open;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.api.target.TargetProfile;
import io.edgeloop.ota.bundle.Check;
import io.edgeloop.ota.testing.Fixtures;
import io.edgeloop.ota.trust.KeyAlgorithm;
import io.edgeloop.ota.trust.SigningKey;
import io.edgeloop.ota.trust.TrustRoot;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Damaged device state never stops the device from starting: unreadable slot records make the slot invalid,
 * unreadable boot records and counters are rebuilt from the slots, and a fallback never adopts a slot that was
 * not confirmed once.
 */
class CorruptStateTest {
    static final SigningKey K = Fixtures.key(KeyAlgorithm.ED25519, 71);
    static final TrustRoot TRUST = Fixtures.trust(1, K);
    static final TargetProfile M3 = TargetProfile.CORTEX_M3;

    static byte[] bundle(long seq, long epoch, int seed) {
        return Fixtures.draft("har", seq, epoch, seed, M3).sign(K);
    }

    /** Slot a holds sequence 1 (seed 10, the previous model), slot b sequence 2 (seed 20, active); epoch 1. */
    static FileDeviceStorage twoModels(Path dir) throws Exception {
        FileDeviceStorage s = new FileDeviceStorage(dir);
        DeviceAgent a = open(s, TRUST, M3);
        a.install(bundle(1, 1, 10));
        a.install(bundle(2, 1, 20));
        return s;
    }

    @ParameterizedTest(name = "active slot.json: {0}")
    @ValueSource(strings = {"bitflip", "garbage", "empty", "array"})
    @DisplayName("boots the confirmed previous model when the active slot's slot.json is unreadable")
    void corruptSlotMetadata(String damage, @TempDir Path dir) throws Exception {
        FileDeviceStorage s = twoModels(dir);
        Path meta = s.root().resolve("slot-b/slot.json");
        byte[] b = Files.readAllBytes(meta);
        switch (damage) {
            case "bitflip" -> b[0] ^= 1;
            case "garbage" -> b = "\u0000\u0001{{".getBytes(StandardCharsets.UTF_8);
            case "empty" -> b = new byte[0];
            default -> b = "[1,2]".getBytes(StandardCharsets.UTF_8);
        }
        Files.write(meta, b);
        DeviceAgent a = open(s, TRUST, M3);
        assertEquals(1, a.status().activeSequence());
        DeviceAgentTest.assertServes(a, 10);
        assertTrue(a.activeSlotVerifies());
        assertEquals(InstallOutcome.INSTALLED, a.install(bundle(3, 1, 30)).outcome(), "the damaged slot is reused");
    }

    @ParameterizedTest(name = "boot.json: {0}")
    @ValueSource(strings = {"garbage", "empty"})
    @DisplayName("probes both slots and boots the newest confirmed one when boot.json is unreadable")
    void corruptBootRecord(String damage, @TempDir Path dir) throws Exception {
        FileDeviceStorage s = twoModels(dir);
        Files.write(s.root().resolve("boot.json"), damage.equals("empty") ? new byte[0]
                : "{\"active\":\"b\",\"tri".getBytes(StandardCharsets.UTF_8));
        DeviceAgent a = open(s, TRUST, M3);
        assertEquals(2, a.status().activeSequence());
        DeviceAgentTest.assertServes(a, 20);
        assertEquals(InstallOutcome.INSTALLED, a.install(bundle(3, 1, 30)).outcome());
        DeviceAgentTest.assertServes(open(s, TRUST, M3), 30);
    }

    @ParameterizedTest(name = "boot.json: {0}")
    @ValueSource(strings = {"{\"active\":\"c\",\"previous\":\"a\",\"trial\":false}", "{\"active\":\"c\"}", "{}",
            "{\"active\":\"B\",\"previous\":\"a\",\"trial\":false}", "{\"active\":\"b\",\"previous\":\"b\",\"trial\":false}",
            "{\"active\":\"b\",\"previous\":\"a\"}", "{\"active\":\"b\",\"previous\":\"a\",\"trial\":false,\"x\":1}",
            "{\"active\":[\"b\"],\"trial\":false}"})
    @DisplayName("probes both slots when boot.json parses but has the wrong shape, instead of running no model")
    void wronglyShapedBootRecord(String record, @TempDir Path dir) throws Exception {
        FileDeviceStorage s = twoModels(dir);
        Files.writeString(s.root().resolve("boot.json"), record);
        DeviceAgent a = open(s, TRUST, M3);
        assertEquals(2, a.status().activeSequence(), "old code: no model (a damaged slot name read as none)");
        DeviceAgentTest.assertServes(a, 20);
        assertEquals("{\"active\":\"b\",\"trial\":false}", Files.readString(s.root().resolve("boot.json")));
    }

    @ParameterizedTest(name = "trial field: {0}")
    @ValueSource(strings = {"\"tri`l\":true", "\"trial\":\"yes\"", "\"trial\":1", "\"trial\":null", "\"Trial\":true"})
    @DisplayName("a damaged trial flag never confirms the candidate that crashed on trial")
    void damagedTrialFlagNeverConfirmsCandidate(String trial, @TempDir Path dir) throws Exception {
        FileDeviceStorage s = new FileDeviceStorage(dir);
        open(s, TRUST, M3).install(bundle(1, 0, 10));
        DeviceAgent crashing = AgentTestSupport.agent(s, TRUST, M3)
                .crashInjector(CrashInjector.at(InstallStep.SWITCHED)).open();
        org.junit.jupiter.api.Assertions.assertThrows(CrashInjector.SimulatedCrash.class,
                () -> crashing.install(bundle(2, 1, 20)));
        Path boot = s.root().resolve("boot.json");
        String written = Files.readString(boot);
        assertTrue(written.contains("\"trial\":true"), written);
        Files.writeString(boot, written.replace("\"trial\":true", trial));
        DeviceAgent a = open(s, TRUST, M3);
        assertEquals(1, a.status().activeSequence(), "old code: the unconfirmed candidate (2) was confirmed");
        DeviceAgentTest.assertServes(a, 10);
        assertEquals(0, a.status().committedEpoch(), "the candidate's epoch is not committed");
        assertFalse(Files.readString(s.root().resolve("slot-b/slot.json")).contains("\"confirmed\":true"));
        assertEquals(InstallOutcome.INSTALLED, a.install(bundle(3, 1, 30)).outcome());
    }

    @ParameterizedTest(name = "boot.json: {0}")
    @ValueSource(strings = {"deleted", "symlink"})
    @DisplayName("probes both slots and boots the newest confirmed one when boot.json is missing but slots exist")
    void missingBootRecord(String damage, @TempDir Path dir) throws Exception {
        FileDeviceStorage s = twoModels(dir);
        Path boot = s.root().resolve("boot.json");
        Files.delete(boot);
        if (damage.equals("symlink")) {
            Path elsewhere = dir.resolve("elsewhere.json");
            Files.writeString(elsewhere, "{\"active\":\"a\",\"trial\":false}");
            Files.createSymbolicLink(boot, elsewhere); // storage reads never follow links: read as missing
        }
        DeviceAgent a = open(s, TRUST, M3);
        assertEquals(2, a.status().activeSequence());
        DeviceAgentTest.assertServes(a, 20);
        assertTrue(Files.isRegularFile(boot, java.nio.file.LinkOption.NOFOLLOW_LINKS), "boot.json is rewritten");
        assertEquals("{\"active\":\"b\",\"trial\":false}", Files.readString(boot));
        assertEquals(InstallOutcome.INSTALLED, a.install(bundle(3, 1, 30)).outcome());
        DeviceAgentTest.assertServes(open(s, TRUST, M3), 30);
    }

    /**
     * Replaces a state file by what a damaged file system or a careless operator leaves: a directory holding a
     * file, or a symbolic link (dangling). Returns the file inside the directory, or the link's target path.
     */
    static Path replaceByEntry(Path file, String entry) throws Exception {
        Files.delete(file);
        if (entry.equals("directory")) {
            Files.createDirectory(file);
            return Files.writeString(file.resolve("kept.txt"), "an operator's notes");
        }
        Path nowhere = file.resolveSibling("nowhere-" + file.getFileName());
        Files.createSymbolicLink(file, nowhere);
        return nowhere;
    }

    /** Asserts that {@code file} was moved aside whole to {@code <name>.DAMAGED-1} and is a regular file again. */
    static void assertMovedAside(Path file, String entry, Path inside) throws Exception {
        Path aside = file.resolveSibling(file.getFileName() + ".DAMAGED-1");
        if (entry.equals("directory")) {
            assertEquals("an operator's notes", Files.readString(aside.resolve(inside.getFileName())),
                    "what the directory held is kept");
        } else {
            assertEquals(inside, Files.readSymbolicLink(aside), "the link is kept as it was");
        }
        assertTrue(Files.isRegularFile(file, java.nio.file.LinkOption.NOFOLLOW_LINKS), file + " is a file again");
    }

    @ParameterizedTest(name = "boot.json replaced by a {0}")
    @ValueSource(strings = {"directory", "dangling symbolic link"})
    @DisplayName("boots the newest confirmed slot when boot.json is a directory or a link, moving it aside whole "
            + "to boot.json.DAMAGED-1 and writing the boot record again")
    void bootRecordNotAFile(String entry, @TempDir Path dir) throws Exception {
        FileDeviceStorage s = twoModels(dir.resolve("state")); // a: sequence 1, b: sequence 2 (active)
        Path boot = s.root().resolve("boot.json");
        Path inside = replaceByEntry(boot, entry);
        // old code: a directory read as missing, the probe found slot b, and rewriting boot.json failed (a rename
        // cannot replace a directory): open() threw at every start and the device ran no model
        DeviceAgent a = open(s, TRUST, M3);
        assertEquals(2, a.status().activeSequence());
        DeviceAgentTest.assertServes(a, 20);
        assertMovedAside(boot, entry, inside);
        assertEquals("{\"active\":\"b\",\"trial\":false}", Files.readString(boot));
        assertEquals(InstallOutcome.INSTALLED, a.install(bundle(3, 1, 30)).outcome());
        DeviceAgentTest.assertServes(open(s, TRUST, M3), 30);
    }

    @ParameterizedTest(name = "counters.json replaced by a {0}")
    @ValueSource(strings = {"directory", "dangling symbolic link"})
    @DisplayName("rebuilds the counters from the slots when counters.json is a directory or a link, never below what "
            + "they prove, and moves it aside whole to counters.json.DAMAGED-1")
    void countersNotAFile(String entry, @TempDir Path dir) throws Exception {
        FileDeviceStorage s = twoModels(dir.resolve("state")); // a: sequence 1, b: sequence 2 (active), epoch 1
        DeviceAgent failing = AgentTestSupport.agent(s, TRUST, M3).healthCheck(m -> Optional.of("unhealthy")).open();
        assertEquals(InstallOutcome.ROLLED_BACK, failing.install(bundle(3, 2, 30)).outcome()); // now in slot a
        Path counters = s.root().resolve("counters.json");
        Path inside = replaceByEntry(counters, entry);
        // old code: read as missing, raised to the slots, and writing them failed: open() threw at every start
        DeviceAgent a = open(s, TRUST, M3);
        DeviceAgentTest.assertServes(a, 20); // the confirmed model keeps running
        assertEquals(1, a.status().committedEpoch(), "the health-failed candidate's epoch is not committed");
        assertMovedAside(counters, entry, inside);
        for (long replay = 1; replay <= 3; replay++) {
            assertEquals(Optional.of(Check.ROLLBACK), a.install(bundle(replay, 1, 50)).check(),
                    "sequence " + replay + " was run or attempted: still refused");
        }
        assertEquals(Optional.of(Check.SECURITY_EPOCH), a.install(bundle(4, 0, 40)).check());
        assertEquals(InstallOutcome.INSTALLED, a.install(bundle(4, 1, 40)).outcome());
        DeviceAgent restarted = open(s, TRUST, M3);
        DeviceAgentTest.assertServes(restarted, 40);
        assertEquals(Optional.of(Check.ROLLBACK), restarted.install(bundle(4, 1, 41)).check());
    }

    @Test
    @DisplayName("a boot.json that is a directory on a device without slots counts as unreadable: moved aside at start "
            + "and written again, the device starting empty")
    void bootRecordDirectoryWithoutSlots(@TempDir Path dir) throws Exception {
        FileDeviceStorage s = new FileDeviceStorage(dir.resolve("state"));
        Path boot = s.root().resolve("boot.json");
        Path inside = replaceByEntry(Files.writeString(boot, "{}"), "directory");
        DeviceAgent a = open(s, TRUST, M3);
        assertEquals(-1, a.status().activeSequence());
        // old code: read as missing, a new device: nothing written and the directory left in place
        assertMovedAside(boot, "directory", inside);
        assertEquals("{\"trial\":false}", Files.readString(boot));
        assertEquals(InstallOutcome.INSTALLED, a.install(bundle(1, 0, 10)).outcome());
    }

    @Test
    @DisplayName("a device without boot.json and without slots starts empty and writes nothing")
    void newDeviceStaysEmpty(@TempDir Path dir) throws Exception {
        FileDeviceStorage s = new FileDeviceStorage(dir.resolve("state"));
        DeviceAgent a = open(s, TRUST, M3);
        assertEquals(-1, a.status().activeSequence());
        assertTrue(!Files.exists(s.root().resolve("boot.json")));
    }

    @Test
    @DisplayName("does not boot a staged, never-confirmed candidate when boot.json is unreadable")
    void corruptBootRecordNeverAdoptsCandidate(@TempDir Path dir) throws Exception {
        FileDeviceStorage s = new FileDeviceStorage(dir);
        open(s, TRUST, M3).install(bundle(1, 0, 10));
        DeviceAgent crashing = AgentTestSupport.agent(s, TRUST, M3)
                .crashInjector(CrashInjector.at(InstallStep.GOLDEN_PASSED)).open();
        org.junit.jupiter.api.Assertions.assertThrows(CrashInjector.SimulatedCrash.class,
                () -> crashing.install(bundle(2, 1, 20)));
        Files.write(s.root().resolve("boot.json"), "{]".getBytes(StandardCharsets.UTF_8));
        DeviceAgent a = open(s, TRUST, M3);
        assertEquals(1, a.status().activeSequence());
        assertEquals(0, a.status().committedEpoch());
    }

    @ParameterizedTest(name = "counters.json: {0}")
    @ValueSource(strings = {"garbage", "empty"})
    @DisplayName("rebuilds unreadable counters from the slots, never below what they prove")
    void corruptCounters(String damage, @TempDir Path dir) throws Exception {
        FileDeviceStorage s = twoModels(dir);
        Files.write(s.root().resolve("counters.json"), damage.equals("empty") ? new byte[0]
                : "{\"formatVersion\":\"2.0\",\"mod".getBytes(StandardCharsets.UTF_8));
        DeviceAgent a = open(s, TRUST, M3);
        DeviceAgentTest.assertServes(a, 20);
        assertEquals(1, a.status().committedEpoch(), "the epoch of the confirmed slot");
        assertEquals(Optional.of(Check.ROLLBACK), a.install(bundle(2, 1, 20)).check(), "replay still refused");
        assertEquals(Optional.of(Check.SECURITY_EPOCH), a.install(bundle(3, 0, 30)).check());
        assertEquals(InstallOutcome.INSTALLED, a.install(bundle(4, 1, 40)).outcome());
    }

    @Test
    @DisplayName("rebuilt counters count an unconfirmed candidate's sequence as attempted, so it is not replayed")
    void rebuiltCountersIncludeAttempts(@TempDir Path dir) throws Exception {
        FileDeviceStorage s = new FileDeviceStorage(dir);
        open(s, TRUST, M3).install(bundle(1, 0, 10));
        DeviceAgent failing = AgentTestSupport.agent(s, TRUST, M3).healthCheck(m -> Optional.of("unhealthy")).open();
        assertEquals(InstallOutcome.ROLLED_BACK, failing.install(bundle(2, 1, 20)).outcome());
        Files.write(s.root().resolve("counters.json"), "garbage".getBytes(StandardCharsets.UTF_8));
        DeviceAgent a = open(s, TRUST, M3);
        DeviceAgentTest.assertServes(a, 10);
        assertEquals(0, a.status().committedEpoch(), "the candidate's epoch was never committed");
        assertEquals(Optional.of(Check.ROLLBACK), a.install(bundle(2, 1, 20)).check());
    }

    static java.util.stream.Stream<org.junit.jupiter.params.provider.Arguments> wrongShapes() {
        String door = "\"door-sensor\":{\"confirmedEpoch\":3,\"confirmedSequence\":40,\"highestAttempted\":41}";
        String har = "\"har\":{\"confirmedEpoch\":0,\"confirmedSequence\":1,\"highestAttempted\":2}";
        return java.util.stream.Stream.of(
                org.junit.jupiter.params.provider.Arguments.of("formatVersion key damaged",
                        "{\"formatVersioN\":\"2.0\",\"models\":{" + door + "," + har + "}}", true),
                org.junit.jupiter.params.provider.Arguments.of("formatVersion value damaged",
                        "{\"formatVersion\":\"\u00b2.0\",\"models\":{" + door + "," + har + "}}", true),
                org.junit.jupiter.params.provider.Arguments.of("models key damaged",
                        "{\"formatVersion\":\"2.0\",\"modelz\":{" + door + "," + har + "}}", false),
                org.junit.jupiter.params.provider.Arguments.of("this model's key damaged",
                        "{\"formatVersion\":\"2.0\",\"models\":{" + door + "," + har.replace("har", "hAr") + "}}",
                        true),
                org.junit.jupiter.params.provider.Arguments.of("this model's field missing",
                        "{\"formatVersion\":\"2.0\",\"models\":{" + door + ","
                                + har.replace(",\"highestAttempted\":2", "") + "}}", true),
                org.junit.jupiter.params.provider.Arguments.of("this model's field null",
                        "{\"formatVersion\":\"2.0\",\"models\":{" + door + ","
                                + har.replace("\"highestAttempted\":2", "\"highestAttempted\":null") + "}}", true),
                org.junit.jupiter.params.provider.Arguments.of("another model's entry holds a fraction",
                        "{\"formatVersion\":\"2.0\",\"models\":{" + door.replace("40", "39.5") + "," + har + "}}",
                        true),
                org.junit.jupiter.params.provider.Arguments.of("1.x layout missing a field",
                        "{\"confirmedEpoch\":0,\"confirmedSequence\":1}", false),
                org.junit.jupiter.params.provider.Arguments.of("file missing", null, false));
    }

    @ParameterizedTest(name = "counters.json: {0}")
    @org.junit.jupiter.params.provider.MethodSource("wrongShapes")
    @DisplayName("never lowers the counters when counters.json parses but has the wrong shape or is missing, and keeps "
            + "other models' counters")
    void wrongShapeCountersNeverLowered(String shape, String json, boolean keepsOther, @TempDir Path dir)
            throws Exception {
        FileDeviceStorage s = new FileDeviceStorage(dir);
        open(s, TRUST, M3).install(bundle(1, 0, 10));
        DeviceAgent failing = AgentTestSupport.agent(s, TRUST, M3).healthCheck(m -> Optional.of("unhealthy")).open();
        assertEquals(InstallOutcome.ROLLED_BACK, failing.install(bundle(2, 1, 20)).outcome());
        if (json == null) {
            s.delete("counters.json");
        } else {
            s.writeAtomic("counters.json", json.getBytes(StandardCharsets.UTF_8));
        }
        DeviceAgent a = open(s, TRUST, M3);
        DeviceAgentTest.assertServes(a, 10);
        assertEquals(Optional.of(Check.ROLLBACK), a.install(bundle(2, 1, 20)).check(),
                "the attempted sequence 2 stays refused");
        assertEquals(InstallOutcome.INSTALLED, a.install(bundle(3, 0, 30)).outcome());
        var counters = io.edgeloop.ota.json.CanonicalJson.parse(s.read("counters.json").orElseThrow());
        assertEquals("2.1", counters.path("formatVersion").asText());
        assertEquals(3, counters.path("models").path("har").path("confirmedSequence").asLong());
        if (keepsOther) {
            var door = counters.path("models").path("door-sensor");
            assertTrue(door.path("confirmedSequence").asLong() >= 40, "door-sensor's counters kept: " + counters);
            assertEquals(41, door.path("highestAttempted").asLong(), counters.toString());
            assertEquals(3, door.path("confirmedEpoch").asLong(), counters.toString());
        }
        assertEquals(Optional.of(Check.ROLLBACK), open(s, TRUST, M3).install(bundle(3, 0, 31)).check());
    }

    @Test
    @DisplayName("stays empty rather than fall back to a candidate that failed its health check (epoch not committed)")
    void fallbackNeverAdoptsHealthFailedCandidate() throws Exception {
        MemoryDeviceStorage s = new MemoryDeviceStorage();
        open(s, TRUST, M3).install(bundle(1, 0, 10));
        DeviceAgent bad = AgentTestSupport.agent(s, TRUST, M3).healthCheck(m -> Optional.of("unhealthy")).open();
        assertEquals(InstallOutcome.ROLLED_BACK, bad.install(bundle(2, 1, 20)).outcome());
        s.corrupt("slot-a/artifact", 3);
        DeviceAgent a = open(s, TRUST, M3);
        assertFalse(a.activeManifest().isPresent(), "the health-failed candidate in slot b is not adopted");
        assertEquals(-1, a.status().activeSequence());
        assertEquals(0, a.status().committedEpoch(), "its epoch is not committed");
        assertEquals(InstallOutcome.INSTALLED, a.install(bundle(3, 0, 30)).outcome(),
                "an epoch-0 fix can still be installed");
    }

    @Test
    @DisplayName("reads slot.json written by earlier SDKs (no model, trust version or confirmed flag)")
    void legacySlotRecords(@TempDir Path dir) throws Exception {
        FileDeviceStorage s = twoModels(dir);
        for (String slot : new String[] {"a", "b"}) {
            var n = (com.fasterxml.jackson.databind.node.ObjectNode) io.edgeloop.ota.json.CanonicalJson.parse(
                    s.read("slot-" + slot + "/slot.json").orElseThrow());
            n.remove(java.util.List.of("formatVersion", "model", "trustVersion", "confirmed"));
            s.writeAtomic("slot-" + slot + "/slot.json", io.edgeloop.ota.json.CanonicalJson.bytes(n));
        }
        DeviceAgent a = open(s, TRUST, M3);
        DeviceAgentTest.assertServes(a, 20);
        s.delete("slot-b/artifact");
        DeviceAgent fallback = open(s, TRUST, M3);
        DeviceAgentTest.assertServes(fallback, 10); // boot.json names slot a as the previous, confirmed model
    }
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"inactive slot directory is a file", "inactive slot directory is a symbolic link",
        "active slot directory is a file"})
    @DisplayName("a slot directory that is not a directory makes that slot invalid: the device starts on the other "
            + "slot, and an install into it moves the entry aside whole and succeeds")
    void slotDirectoryDamaged(String damage, @TempDir Path dir) throws Exception {
        FileDeviceStorage s = twoModels(dir.resolve("state")); // a: sequence 1, b: sequence 2 (active)
        Path slot = s.root().resolve(damage.startsWith("active") ? "slot-b" : "slot-a");
        Path moved = Files.move(slot, dir.resolve("moved-away"));
        byte[] junk = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
        boolean link = damage.endsWith("symbolic link");
        if (link) {
            Files.createSymbolicLink(slot, moved); // a valid slot behind the link: never followed
        } else {
            Files.write(slot, junk);
        }
        // older code: open() threw (FileAlreadyExistsException, "is a symbolic link") at every start: no model at all
        DeviceAgent a = open(s, TRUST, M3);
        if (damage.startsWith("active")) {
            assertEquals(1, a.status().activeSequence());
            DeviceAgentTest.assertServes(a, 10);
            assertTrue(a.status().slotProblem().orElseThrow().contains("running the previous slot a"),
                    a.status().slotProblem().orElseThrow());
        } else {
            assertEquals(2, a.status().activeSequence());
            DeviceAgentTest.assertServes(a, 20);
        }
        // before 2026-12-02 this install failed ("not a directory" / "symbolic link") until someone removed the entry
        assertEquals(InstallOutcome.INSTALLED, a.install(bundle(3, 1, 30)).outcome());
        Path aside = slot.resolveSibling(slot.getFileName() + ".DAMAGED-1");
        if (link) {
            assertTrue(Files.isSymbolicLink(aside), "the link itself is moved aside, not what it points to");
            assertEquals(moved, Files.readSymbolicLink(aside));
            assertTrue(Files.isDirectory(moved), "what the link points to is kept");
        } else {
            assertTrue(java.util.Arrays.equals(junk, Files.readAllBytes(aside)), "the damaged entry is kept whole");
        }
        assertTrue(Files.isDirectory(slot, java.nio.file.LinkOption.NOFOLLOW_LINKS));
        DeviceAgentTest.assertServes(a, 30);
        DeviceAgent again = open(s, TRUST, M3);
        assertEquals(3, again.status().activeSequence());
        DeviceAgentTest.assertServes(again, 30);
        assertTrue(again.activeSlotVerifies());
    }

    @Test
    @DisplayName("after falling back to the older confirmed slot, every later start still says the device runs below "
            + "its confirmed sequence, until a higher sequence is installed")
    void fallbackStaysVisibleAfterRestarts(@TempDir Path dir) throws Exception {
        FileDeviceStorage s = twoModels(dir.resolve("state")); // a: sequence 1, b: sequence 2 (active, confirmed)
        s.delete("slot-b/artifact"); // the confirmed model's slot is lost
        DeviceAgent fellBack = open(s, TRUST, M3);
        assertEquals(1, fellBack.status().activeSequence());
        assertTrue(fellBack.status().slotProblem().orElseThrow().contains("running the previous slot a"));
        for (int restart = 0; restart < 2; restart++) {
            // old code: the boot record now names slot a, which verifies: "no install yet", nothing said
            AgentStatus st = open(s, TRUST, M3).status();
            assertEquals(1, st.activeSequence());
            assertTrue(st.lastMessage().contains("runs sequence 1, below its confirmed sequence 2")
                    && st.lastMessage().contains("accepts sequence 3 or higher"), st.lastMessage());
        }
        DeviceAgent a = open(s, TRUST, M3);
        assertEquals(InstallOutcome.INSTALLED, a.install(bundle(3, 1, 30)).outcome());
        AgentStatus after = open(s, TRUST, M3).status();
        assertEquals(3, after.activeSequence());
        assertFalse(after.lastMessage().contains("below its confirmed"), after.lastMessage());
    }
}

package io.edgeloop.ota.agent;

import static io.edgeloop.ota.agent.AgentTestSupport.open;
import static io.edgeloop.ota.agent.CorruptStateTest.TRUST;
import static io.edgeloop.ota.agent.CorruptStateTest.bundle;
import static io.edgeloop.ota.agent.CorruptStateTest.twoModels;
import static io.edgeloop.ota.agent.FallbackRepairTest.M3;
import static io.edgeloop.ota.agent.FallbackRepairTest.counters;
import static io.edgeloop.ota.agent.FallbackRepairTest.fellBack;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.edgeloop.ota.bundle.Check;
import io.edgeloop.ota.json.CanonicalJson;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * counters.json's copy, counters.copy.json: written after it at every change, read when counters.json is damaged
 * or missing, so that a damaged counters.json together with a damaged slot no longer lowers the anti-rollback
 * counters to what the surviving slot proves.
 */
class CountersCopyTest {
    private static final byte[] GARBAGE = "{\"formatVersion\":\"2.1\",\"mod".getBytes(StandardCharsets.UTF_8);

    @Test
    @DisplayName("every change writes the copy, byte for byte counters.json")
    void everyChangeWritesTheCopy(@TempDir Path dir) throws Exception {
        FileDeviceStorage s = twoModels(dir);
        assertArrayEquals(s.read("counters.json").orElseThrow(), s.read("counters.copy.json").orElseThrow());
        assertEquals(2, counters(s).path("confirmedSequence").asLong());
    }

    @Test
    @DisplayName("counters.json damaged while the slot holding the confirmed sequence is damaged too: the counters come "
            + "from the copy, so another build at the confirmed sequence stays refused and the confirmed one repairs")
    void damagedCountersAndSlotKeepTheConfirmedSequence(@TempDir Path dir) throws Exception {
        FileDeviceStorage s = fellBack(dir);
        s.writeAtomic("counters.json", GARBAGE);
        String log = RecoveryLogLevelTest.openLogging(AgentTestSupport.agent(s, TRUST, M3));
        assertTrue(log.contains("WARN") && log.contains("counters.json is unreadable")
                && log.contains("the counters of har are read from its copy counters.copy.json"), log);
        assertEquals(2, counters(s).path("confirmedSequence").asLong(), "counters.json rewritten from the copy");
        assertArrayEquals(s.read("counters.json").orElseThrow(), s.read("counters.copy.json").orElseThrow());
        DeviceAgent a = open(s, TRUST, M3);
        assertEquals(1, a.status().activeSequence());
        // before: rebuilt from the surviving slot (sequence 1), so another build at sequence 2 installed
        InstallReport other = a.install(bundle(2, 1, 21));
        assertEquals(Optional.of(Check.ROLLBACK), other.check(), other.message());
        assertEquals(InstallOutcome.INSTALLED, a.install(bundle(2, 1, 20)).outcome(), "the confirmed one repairs");
        DeviceAgentTest.assertServes(a, 20);
    }

    @Test
    @DisplayName("counters.json deleted: the counters come from the copy and counters.json is written again")
    void missingCountersComeFromTheCopy(@TempDir Path dir) throws Exception {
        FileDeviceStorage s = fellBack(dir);
        s.delete("counters.json");
        DeviceAgent a = open(s, TRUST, M3);
        assertEquals(2, counters(s).path("confirmedSequence").asLong());
        assertEquals(Optional.of(Check.ROLLBACK), a.install(bundle(2, 1, 21)).check());
    }

    @Test
    @DisplayName("both damaged: rebuilt from the slots as without a copy, and the WARN names both")
    void bothDamagedRebuildFromTheSlots(@TempDir Path dir) throws Exception {
        FileDeviceStorage s = twoModels(dir);
        s.writeAtomic("counters.json", GARBAGE);
        s.writeAtomic("counters.copy.json", "[]".getBytes(StandardCharsets.UTF_8));
        String log = RecoveryLogLevelTest.openLogging(AgentTestSupport.agent(s, TRUST, M3));
        assertTrue(log.contains("counters.json is unreadable") && log.contains("its copy counters.copy.json too: "
                + "not a JSON object") && log.contains("rebuilding the counters of har from the slots"), log);
        assertEquals(2, counters(s).path("confirmedSequence").asLong(), "slot b (sequence 2) verifies");
        assertArrayEquals(s.read("counters.json").orElseThrow(), s.read("counters.copy.json").orElseThrow());
    }

    @Test
    @DisplayName("a damaged copy beside a readable counters.json is rewritten from it, with a WARN")
    void damagedCopyIsRewritten(@TempDir Path dir) throws Exception {
        FileDeviceStorage s = twoModels(dir);
        byte[] good = s.read("counters.json").orElseThrow();
        s.writeAtomic("counters.copy.json", GARBAGE);
        String log = RecoveryLogLevelTest.openLogging(AgentTestSupport.agent(s, TRUST, M3));
        assertTrue(log.contains("counters.copy.json is unreadable") && log.contains("rewritten from counters.json"),
                log);
        assertArrayEquals(good, s.read("counters.json").orElseThrow(), "counters.json is not touched");
        assertArrayEquals(good, s.read("counters.copy.json").orElseThrow());
    }

    @Test
    @DisplayName("a device from an SDK without the copy gets one at start, silently, and counters.json is not rewritten")
    void missingCopyIsWrittenAtStart(@TempDir Path dir) throws Exception {
        FileDeviceStorage s = twoModels(dir);
        s.delete("counters.copy.json");
        byte[] before = s.read("counters.json").orElseThrow();
        String log = RecoveryLogLevelTest.openLogging(AgentTestSupport.agent(s, TRUST, M3));
        assertFalse(log.contains("WARN"), log);
        assertArrayEquals(before, s.read("counters.json").orElseThrow());
        assertArrayEquals(before, s.read("counters.copy.json").orElseThrow());
    }

    @Test
    @DisplayName("an older counters.json put back beside a newer copy: each counter takes the higher, with a WARN")
    void olderCountersBesideANewerCopyAreRaised(@TempDir Path dir) throws Exception {
        FileDeviceStorage s = new FileDeviceStorage(dir);
        DeviceAgent first = open(s, TRUST, M3);
        first.install(bundle(1, 1, 10));
        byte[] old = s.read("counters.json").orElseThrow();
        first.install(bundle(2, 1, 20));
        first.install(bundle(3, 1, 30));
        s.writeAtomic("counters.json", old);
        String log = RecoveryLogLevelTest.openLogging(AgentTestSupport.agent(s, TRUST, M3));
        assertTrue(log.contains("WARN") && log.contains("counters.copy.json differs from counters.json"), log);
        assertEquals(3, counters(s).path("confirmedSequence").asLong());
        assertArrayEquals(s.read("counters.json").orElseThrow(), s.read("counters.copy.json").orElseThrow());
    }

    @Test
    @DisplayName("the copy's write failing does not fail the install; the copy is brought up to date at the next start")
    void failedCopyWriteIsCaughtUpAtStart(@TempDir Path dir) throws Exception {
        FileDeviceStorage files = new FileDeviceStorage(dir);
        AtomicBoolean failCopy = new AtomicBoolean();
        DeviceStorage s = new DeviceStorage() {
            @Override
            public Optional<byte[]> read(String name) throws IOException {
                return files.read(name);
            }

            @Override
            public void writeAtomic(String name, byte[] data) throws IOException {
                if (failCopy.get() && name.equals("counters.copy.json")) {
                    throw new IOException("No space left on device");
                }
                files.writeAtomic(name, data);
            }

            @Override
            public void write(String name, byte[] data, Runnable midWrite) throws IOException {
                files.write(name, data, midWrite);
            }

            @Override
            public void delete(String name) throws IOException {
                files.delete(name);
            }
        };
        open(s, TRUST, M3).install(bundle(1, 1, 10));
        failCopy.set(true);
        assertEquals(InstallOutcome.INSTALLED, open(s, TRUST, M3).install(bundle(2, 1, 20)).outcome());
        assertEquals(2, counters(files).path("confirmedSequence").asLong());
        assertEquals(1, CanonicalJson.parse(files.read("counters.copy.json").orElseThrow()).path("models")
                .path("har").path("confirmedSequence").asLong(), "the copy is behind");
        failCopy.set(false);
        open(s, TRUST, M3);
        assertArrayEquals(files.read("counters.json").orElseThrow(), files.read("counters.copy.json").orElseThrow());
    }

    @Test
    @DisplayName("a damaged confirmedManifest in counters.json alone is taken from the copy: the device can repair")
    void damagedIdentityComesFromTheCopy(@TempDir Path dir) throws Exception {
        FileDeviceStorage s = fellBack(dir);
        String sha = counters(s).path("confirmedManifest").path("sha256").asText();
        ObjectNode c = (ObjectNode) CanonicalJson.parse(s.read("counters.json").orElseThrow());
        ((ObjectNode) c.path("models").path("har").path("confirmedManifest")).put("sha256", "not a digest");
        s.writeAtomic("counters.json", CanonicalJson.bytes(c));
        DeviceAgent a = open(s, TRUST, M3);
        assertEquals(sha, counters(s).path("confirmedManifest").path("sha256").asText());
        assertEquals(InstallOutcome.INSTALLED, a.install(bundle(2, 1, 20)).outcome());
    }
    /** Adds another model's entry to a counters file's JSON. */
    private static byte[] withOther(byte[] file, String other) throws Exception {
        ObjectNode c = (ObjectNode) CanonicalJson.parse(file);
        ((ObjectNode) c.path("models")).set("other", CanonicalJson.parse(other.getBytes(StandardCharsets.UTF_8)));
        return CanonicalJson.bytes(c);
    }

    private static com.fasterxml.jackson.databind.JsonNode other(DeviceStorage s, String name) throws Exception {
        return CanonicalJson.parse(s.read(name).orElseThrow()).path("models").path("other");
    }

    @Test
    @DisplayName("both files damaged for this model: another model's entry still readable in the copy is kept")
    void bothDamagedKeepsAnotherModelFromTheCopy(@TempDir Path dir) throws Exception {
        FileDeviceStorage s = twoModels(dir);
        ObjectNode c = (ObjectNode) CanonicalJson.parse(withOther(s.read("counters.json").orElseThrow(),
                "{\"confirmedEpoch\":1,\"confirmedSequence\":7,\"highestAttempted\":7}"));
        ((ObjectNode) c.path("models").path("har")).put("confirmedSequence", "x");
        s.writeAtomic("counters.copy.json", CanonicalJson.bytes(c));
        s.writeAtomic("counters.json", GARBAGE);
        open(s, TRUST, M3);
        // before: counters.json rewritten with har alone, "other" gone (it would start again from its slots)
        assertEquals(7, other(s, "counters.json").path("confirmedSequence").asLong(), s.read("counters.json")
                .map(b -> new String(b, StandardCharsets.UTF_8)).orElse(""));
        assertEquals(2, counters(s).path("confirmedSequence").asLong(), "har rebuilt from its slots");
    }

    @Test
    @DisplayName("a copy naming a newer major version beside a readable counters.json is damage, not a reason to "
            + "refuse the start")
    void newerMajorCopyBesideAReadableFileIsRewritten(@TempDir Path dir) throws Exception {
        FileDeviceStorage s = twoModels(dir);
        byte[] good = s.read("counters.json").orElseThrow();
        s.writeAtomic("counters.copy.json", new String(good, StandardCharsets.UTF_8)
                .replace("\"formatVersion\":\"2.", "\"formatVersion\":\"3.").getBytes(StandardCharsets.UTF_8));
        // before: IOException "counters.copy.json has formatVersion '3.1' ... Upgrade the SDK"
        assertEquals(2, open(s, TRUST, M3).status().activeSequence());
        assertArrayEquals(good, s.read("counters.copy.json").orElseThrow());
        s.writeAtomic("counters.json", GARBAGE); // with nothing else readable the newer major still refuses
        s.writeAtomic("counters.copy.json", new String(good, StandardCharsets.UTF_8)
                .replace("\"formatVersion\":\"2.", "\"formatVersion\":\"3.").getBytes(StandardCharsets.UTF_8));
        IOException e = org.junit.jupiter.api.Assertions.assertThrows(IOException.class, () -> open(s, TRUST, M3));
        assertTrue(e.getMessage().contains("counters.copy.json has formatVersion '3."), e.getMessage());
    }

    @Test
    @DisplayName("merging two readable files keeps another model's records of its higher confirmed sequence")
    void mergeKeepsTheRecordsOfTheHigherSequence(@TempDir Path dir) throws Exception {
        FileDeviceStorage s = twoModels(dir);
        String sha5 = "5".repeat(64);
        String sha7 = "7".repeat(64);
        byte[] base = s.read("counters.json").orElseThrow();
        s.writeAtomic("counters.json", withOther(base, "{\"confirmedEpoch\":1,\"confirmedManifest\":"
                + "{\"securityEpoch\":1,\"sequence\":7,\"sha256\":\"" + sha7 + "\"},\"confirmedSequence\":7,"
                + "\"highestAttempted\":7}"));
        s.writeAtomic("counters.copy.json", withOther(base, "{\"confirmedEpoch\":1,\"confirmedManifest\":"
                + "{\"securityEpoch\":1,\"sequence\":5,\"sha256\":\"" + sha5 + "\"},\"confirmedSequence\":5,"
                + "\"highestAttempted\":8}"));
        open(s, TRUST, M3);
        com.fasterxml.jackson.databind.JsonNode o = other(s, "counters.json");
        assertEquals(7, o.path("confirmedSequence").asLong(), o.toString());
        assertEquals(8, o.path("highestAttempted").asLong(), "the copy's higher attempt is kept: " + o);
        // before: the copy's identity at 5 beside confirmedSequence 7, so that model could not repair
        assertEquals(sha7, o.path("confirmedManifest").path("sha256").asText(), o.toString());
    }

    @Test
    @DisplayName("a copy behind counters.json (a power cut between the two writes) is brought up to date with an INFO")
    void copyBehindIsInfo(@TempDir Path dir) throws Exception {
        FileDeviceStorage s = new FileDeviceStorage(dir);
        DeviceAgent first = open(s, TRUST, M3);
        first.install(bundle(1, 1, 10));
        byte[] old = s.read("counters.json").orElseThrow();
        first.install(bundle(2, 1, 20));
        s.writeAtomic("counters.copy.json", old);
        String log = RecoveryLogLevelTest.openLogging(AgentTestSupport.agent(s, TRUST, M3));
        assertTrue(log.contains("INFO") && log.contains("counters.copy.json was behind counters.json"), log);
        assertFalse(log.contains("WARN"), log);
        assertArrayEquals(s.read("counters.json").orElseThrow(), s.read("counters.copy.json").orElseThrow());
    }

    @Test
    @DisplayName("a copy that is a directory beside a damaged counters.json is named in the WARN")
    void obstructedCopyIsNamed(@TempDir Path dir) throws Exception {
        FileDeviceStorage s = twoModels(dir);
        s.delete("counters.copy.json");
        java.nio.file.Files.createDirectory(dir.resolve("counters.copy.json"));
        s.writeAtomic("counters.json", GARBAGE);
        String log = RecoveryLogLevelTest.openLogging(AgentTestSupport.agent(s, TRUST, M3));
        assertTrue(log.contains("its copy counters.copy.json is a directory, not a file"), log);
    }
}

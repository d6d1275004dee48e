package io.edgeloop.ota.agent;

import static io.edgeloop.ota.agent.AgentTestSupport.open;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.api.target.TargetProfile;
import io.edgeloop.ota.testing.Fixtures;
import io.edgeloop.ota.trust.KeyAlgorithm;
import io.edgeloop.ota.trust.SigningKey;
import io.edgeloop.ota.trust.TrustRoot;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The normal recovery after a power loss between the confirm and the counters' commit is logged at INFO; counters
 * found below what the slots prove for any other reason stay a WARN. Reads the log lines slf4j-simple (the
 * test binding) prints on standard error.
 */
class RecoveryLogLevelTest {
    static final SigningKey K = Fixtures.key(KeyAlgorithm.ED25519, 27);
    static final TrustRoot TRUST = Fixtures.trust(1, K);
    static final TargetProfile M3 = TargetProfile.CORTEX_M3;

    static byte[] bundle(long seq, int seed) {
        return Fixtures.draft("har", seq, seq, seed, M3).sign(K);
    }

    /** Opens the agent and returns what it logged about the counters. */
    static String openLogging(FileDeviceStorage s) throws Exception {
        return openLogging(AgentTestSupport.agent(s, TRUST, M3));
    }

    /** Opens the agent {@code b} builds and returns what it logged (slf4j-simple's lines on standard error). */
    static String openLogging(DeviceAgent.Builder b) throws Exception {
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            b.open();
        } finally {
            System.setErr(original);
        }
        String log = captured.toString(StandardCharsets.UTF_8);
        original.print(log);
        return log;
    }

    @Test
    @DisplayName("a power loss after the confirm and before the commit is recovered with an INFO line, not a WARN")
    void interruptedCommitIsInfo(@TempDir Path dir) throws Exception {
        FileDeviceStorage s = new FileDeviceStorage(dir);
        open(s, TRUST, M3).install(bundle(1, 10));
        DeviceAgent crashing = AgentTestSupport.agent(s, TRUST, M3)
                .crashInjector(CrashInjector.at(InstallStep.SLOT_CONFIRMED)).open();
        assertThrows(CrashInjector.SimulatedCrash.class, () -> crashing.install(bundle(2, 11)));
        String log = openLogging(s);
        assertTrue(log.contains("INFO") && log.contains("committing the confirmed install of har (sequence 2, "
                + "epoch 2) that a restart interrupted"), log);
        assertFalse(log.contains("WARN"), log);
        assertEquals(2, open(s, TRUST, M3).status().committedEpoch());
    }

    @Test
    @DisplayName("counters rolled back below the attempts the slots prove are still a WARN")
    void rolledBackCountersAreWarn(@TempDir Path dir) throws Exception {
        FileDeviceStorage s = new FileDeviceStorage(dir);
        DeviceAgent a = open(s, TRUST, M3);
        a.install(bundle(1, 10));
        byte[] old = Files.readAllBytes(dir.resolve("counters.json"));
        a.install(bundle(2, 11));
        Files.write(dir.resolve("counters.json"), old); // an older version of a valid file, and of its copy
        Files.write(dir.resolve("counters.copy.json"), old);
        String log = openLogging(s);
        assertTrue(log.contains("WARN") && log.contains("were below what the slots prove"), log);
    }
}

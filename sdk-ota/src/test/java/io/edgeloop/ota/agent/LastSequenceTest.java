package io.edgeloop.ota.agent;

import static io.edgeloop.ota.agent.AgentTestSupport.open;
import static io.edgeloop.ota.agent.CrashRecoveryTest.M3;
import static io.edgeloop.ota.agent.CrashRecoveryTest.TRUST;
import static io.edgeloop.ota.agent.CrashRecoveryTest.assertServes;
import static io.edgeloop.ota.agent.CrashRecoveryTest.bundle;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.edgeloop.ota.bundle.Check;
import io.edgeloop.ota.json.CanonicalJson;
import io.edgeloop.ota.testing.Fixtures;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Sequence {@code Long.MAX_VALUE} (bad-input walk M2, 2026-12-03): a device accepted it, then computed its minimum
 * as {@code max(confirmed, attempted) + 1}, which overflowed, and every later install, poll and status threw
 * IllegalArgumentException, across restarts. Now the sequence is refused, and counters an older SDK left at it
 * saturate: every bundle is refused as a rollback, nothing throws.
 */
class LastSequenceTest {
    @Test
    @DisplayName("a bundle at sequence Long.MAX_VALUE is refused as a manifest out of range; the device keeps its "
            + "model and installs the next bundle")
    void lastSequenceIsRefused(@TempDir Path dir) throws Exception {
        FileDeviceStorage s = new FileDeviceStorage(dir.resolve("state"));
        DeviceAgent a = open(s, TRUST, M3);
        assertEquals(InstallOutcome.INSTALLED, a.install(bundle(14, 10)).outcome());

        InstallReport last = a.install(high(Long.MAX_VALUE, 11));
        assertEquals(InstallOutcome.REFUSED, last.outcome(), last.message());
        assertEquals(Optional.of(Check.MANIFEST), last.check());
        assertTrue(last.message().contains("sequence 9223372036854775807 is out of range")
                && last.message().contains("0 to 9223372036854775806"), last.message());
        assertServes(a, 10);

        DeviceAgent rebooted = open(s, TRUST, M3);
        InstallReport highest = rebooted.install(high(Long.MAX_VALUE - 1, 12));
        assertEquals(InstallOutcome.INSTALLED, highest.outcome(), highest.message());
        assertServes(rebooted, 12);
    }

    /** {@link CrashRecoveryTest#bundle}'s bundle, with a version that fits 9 digits. */
    private static byte[] high(long seq, int seed) {
        Fixtures.Draft d = Fixtures.draft("har", seq, seq, seed, M3);
        d.manifest.version("2.0." + seed);
        return d.sign(CrashRecoveryTest.K);
    }

    @ParameterizedTest(name = "{0} left at Long.MAX_VALUE")
    @ValueSource(strings = {"confirmedSequence", "highestAttempted"})
    @DisplayName("counters an older SDK left at Long.MAX_VALUE: status, installs and restarts work, every bundle is "
            + "refused as a rollback")
    void saturatedCountersRefuseInsteadOfThrowing(String counter, @TempDir Path dir) throws Exception {
        FileDeviceStorage s = new FileDeviceStorage(dir.resolve("state"));
        assertEquals(InstallOutcome.INSTALLED, open(s, TRUST, M3).install(bundle(14, 10)).outcome());
        JsonNode all = CanonicalJson.parse(s.read("counters.json").orElseThrow());
        ((ObjectNode) all.path("models").path("har")).put(counter, Long.MAX_VALUE);
        s.writeAtomic("counters.json", CanonicalJson.bytes(all));
        s.writeAtomic("counters.copy.json", CanonicalJson.bytes(all));

        for (int boot = 0; boot < 2; boot++) {
            DeviceAgent a = open(s, TRUST, M3);
            a.status();
            InstallReport next = a.install(bundle(15 + boot, 11));
            assertEquals(InstallOutcome.REFUSED, next.outcome(), next.message());
            assertEquals(Optional.of(Check.ROLLBACK), next.check(), next.message());
            assertServes(a, 10);
        }
    }
}

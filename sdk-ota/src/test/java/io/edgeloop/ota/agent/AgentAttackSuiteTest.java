package io.edgeloop.ota.agent;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.api.target.TargetProfile;
import io.edgeloop.ota.bundle.GoldenVectors;
import io.edgeloop.ota.testing.Fixtures;
import io.edgeloop.ota.testing.HostileBundles;
import io.edgeloop.ota.trust.TrustRoot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * The attack suite against a device on real files: each hostile bundle is refused with the right check, the
 * device keeps serving its model, and nothing changes on disk outside the agent's state directory (inside it,
 * only the install-attempt counter may change).
 */
class AgentAttackSuiteTest {
    static final TargetProfile M3 = TargetProfile.CORTEX_M3;

    @TempDir
    static Path root;

    static Map<Path, String> snapshot(Path dir) throws Exception {
        try (Stream<Path> s = Files.walk(dir)) {
            Map<Path, String> m = new TreeMap<>();
            for (Path p : s.collect(Collectors.toList())) {
                m.put(dir.relativize(p), Files.isRegularFile(p) ? io.edgeloop.api.provenance.Sha256.hex(p) : "dir");
            }
            return m;
        }
    }

    @TestFactory
    @DisplayName("every attack is refused, the device keeps its model, nothing is written outside its state")
    Stream<DynamicTest> attacks() throws Exception {
        TrustRoot trust = HostileBundles.trust();
        Path state = Files.createDirectories(root.resolve("device/state"));
        Files.createDirectories(root.resolve("etc"));
        Files.writeString(root.resolve("etc/passwd"), "root:x:0:0");
        DeviceAgent device = AgentTestSupport.open(new FileDeviceStorage(state), trust, M3);
        // bring the device to sequence 5, epoch 1
        for (long s = 1; s <= 5; s++) {
            InstallReport r = device.install(Fixtures.draft("har", s, 1, 40, M3).sign(HostileBundles.A, HostileBundles.B));
            assertEquals(InstallOutcome.INSTALLED, r.outcome(), r.message());
        }
        GoldenVectors g = Fixtures.golden(40, 8);
        List<HostileBundles.Case> cases = HostileBundles.all();
        assertTrue(cases.size() >= 25);
        return cases.stream().map(c -> DynamicTest.dynamicTest(c.name() + " -> " + c.expected().id(), () -> {
            Map<Path, String> before = snapshot(root);
            InstallReport r = device.install(c.bundle());
            assertEquals(InstallOutcome.REFUSED, r.outcome(), r.message());
            assertEquals(Optional.of(c.expected()), r.check(), r.message());
            for (int i = 0; i < g.size(); i++) {
                assertArrayEquals(g.output(i), device.predict(g.input(i)), "device still serves its model");
            }
            assertEquals(5, device.status().activeSequence());
            Map<Path, String> after = snapshot(root);
            Path counters = Path.of("device/state/counters.json");
            before.remove(counters);
            after.remove(counters);
            assertEquals(before, after, "nothing written except the attempt counter");
            assertTrue(AgentTestSupport.open(new FileDeviceStorage(state), trust, M3).activeSlotVerifies());
        }));
    }
}

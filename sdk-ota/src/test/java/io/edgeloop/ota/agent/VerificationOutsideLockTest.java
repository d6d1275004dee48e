package io.edgeloop.ota.agent;

import static io.edgeloop.ota.agent.DeviceAgentTest.TRUST;
import static io.edgeloop.ota.agent.DeviceAgentTest.assertServes;
import static io.edgeloop.ota.agent.DeviceAgentTest.bundle;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.api.runtime.IntegerModel;
import io.edgeloop.api.runtime.ModelRuntime;
import io.edgeloop.api.target.TargetProfile;
import io.edgeloop.ota.bundle.Check;
import io.edgeloop.ota.bundle.GoldenVectors;
import io.edgeloop.ota.trust.KeyAlgorithm;
import io.edgeloop.ota.trust.SigningKey;
import io.edgeloop.ota.testing.Fixtures;
import io.edgeloop.ota.testing.TestIntRuntimeProvider;
import io.edgeloop.ota.trust.TrustRoot;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Verifying a bundle (signatures, digests, golden vectors) does not hold the agent's lock: {@link DeviceAgent#predict},
 * {@link DeviceAgent#status} and {@link DeviceAgent#rotateTrust} answer while it runs, and a rotation that lands
 * meanwhile makes the install verify again under the new root. The device runtime is the real test runtime, wrapped
 * so that one {@code load} (the golden-vector run) can be held mid-verification.
 */
class VerificationOutsideLockTest {
    static final TargetProfile M3 = TargetProfile.CORTEX_M3;

    /** The test runtime; while {@code hold} is set, the next load waits for {@code release}. */
    static final class HeldRuntime {
        final ModelRuntime real = new TestIntRuntimeProvider().create(ComponentConfig.of(Map.of()));
        final AtomicBoolean hold = new AtomicBoolean();
        final CountDownLatch inside = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final AtomicInteger loads = new AtomicInteger();

        ModelRuntime runtime() {
            return new ModelRuntime() {
                @Override
                public String version() {
                    return real.version();
                }

                @Override
                public IntegerModel load(byte[] artifact) throws IOException {
                    loads.incrementAndGet();
                    if (hold.getAndSet(false)) {
                        inside.countDown();
                        try {
                            assertTrue(release.await(20, TimeUnit.SECONDS), "released");
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            throw new IOException(e);
                        }
                    }
                    return real.load(artifact);
                }
            };
        }
    }

    static CompletableFuture<InstallReport> installAsync(DeviceAgent a, byte[] bundle) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return a.install(bundle);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    @Test
    @DisplayName("answers predict and status with the confirmed model while a bundle's golden vectors run, and runs "
            + "them once per install")
    void predictAnswersDuringVerification(@TempDir Path dir) throws Exception {
        HeldRuntime rt = new HeldRuntime();
        DeviceAgent a = AgentTestSupport.agent(new FileDeviceStorage(dir), TRUST, M3).runtimes(n -> rt.runtime())
                .open();
        assertEquals(InstallOutcome.INSTALLED, a.install(bundle(1, 0, 10)).outcome());
        rt.loads.set(0);
        rt.hold.set(true);
        CompletableFuture<InstallReport> install = installAsync(a, bundle(2, 0, 11));
        assertTrue(rt.inside.await(10, TimeUnit.SECONDS), "the install reached the golden vectors");
        GoldenVectors old = Fixtures.golden(10, 8);
        // with verification under the agent's lock these would wait for the release and time out
        int[] out = CompletableFuture.supplyAsync(() -> a.predict(old.input(0))).get(5, TimeUnit.SECONDS);
        AgentStatus st = CompletableFuture.supplyAsync(a::status).get(5, TimeUnit.SECONDS);
        assertArrayEquals(old.output(0), out);
        assertEquals(1, st.activeSequence());
        rt.release.countDown();
        InstallReport r = install.get(20, TimeUnit.SECONDS);
        assertEquals(InstallOutcome.INSTALLED, r.outcome(), r.message());
        assertServes(a, 11);
        assertEquals(1, rt.loads.get(), "the staged slot read back the verified bytes: golden vectors ran once");
        assertServes(AgentTestSupport.open(new FileDeviceStorage(dir), TRUST, M3), 11);
    }

    @Test
    @DisplayName("verifies again under a trust root rotated in during verification: a bundle the new root does not "
            + "trust is refused, nothing is written")
    void rotationDuringVerificationVerifiesAgain(@TempDir Path dir) throws Exception {
        SigningKey k1 = Fixtures.key(KeyAlgorithm.ED25519, 71);
        SigningKey k2 = Fixtures.key(KeyAlgorithm.ED25519, 72);
        TrustRoot v1 = Fixtures.trust(1, k1);
        TrustRoot v2 = TrustChainTest.root(v1, 2, k2, k1, k2); // trusts only k2
        HeldRuntime rt = new HeldRuntime();
        FileDeviceStorage s = new FileDeviceStorage(dir);
        DeviceAgent a = AgentTestSupport.agent(s, v1, M3).runtimes(n -> rt.runtime()).open();
        assertEquals(InstallOutcome.INSTALLED, a.install(Fixtures.draft("har", 1, 0, 10, M3).sign(k1)).outcome());
        rt.hold.set(true);
        CompletableFuture<InstallReport> install = installAsync(a, Fixtures.draft("har", 2, 0, 11, M3).sign(k1));
        assertTrue(rt.inside.await(10, TimeUnit.SECONDS), "the install reached the golden vectors");
        CompletableFuture.runAsync(() -> {
            try {
                a.rotateTrust(v2);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }).get(5, TimeUnit.SECONDS);
        rt.release.countDown();
        InstallReport r = install.get(20, TimeUnit.SECONDS);
        assertEquals(InstallOutcome.REFUSED, r.outcome(), r.message());
        assertEquals(Optional.of(Check.UNKNOWN_KEY), r.check(), r.message());
        assertServes(a, 10);
        assertEquals(1, a.status().activeSequence());
        DeviceAgent rebooted = AgentTestSupport.open(s, v1, M3);
        assertEquals(2, rebooted.trust().version());
        assertServes(rebooted, 10);
        // signed by the key the new root trusts, the same sequence installs
        assertEquals(InstallOutcome.INSTALLED,
                rebooted.install(Fixtures.draft("har", 2, 0, 11, M3).sign(k2)).outcome());
    }

    @Test
    @DisplayName("refuses a staged slot whose artifact reads back different from what was verified")
    void corruptReadBackRefused() throws Exception {
        MemoryDeviceStorage healthy = new MemoryDeviceStorage();
        DeviceAgent a = AgentTestSupport.open(healthy, TRUST, M3);
        assertEquals(InstallOutcome.INSTALLED, a.install(bundle(1, 0, 10)).outcome());
        DeviceStorage flipping = new DeviceStorage() {
            @Override
            public Optional<byte[]> read(String name) throws IOException {
                Optional<byte[]> b = healthy.read(name);
                if (name.equals("slot-b/artifact") && b.isPresent()) {
                    byte[] c = b.get().clone();
                    c[c.length / 2] ^= 1;
                    return Optional.of(c);
                }
                return b;
            }

            @Override
            public void writeAtomic(String name, byte[] data) throws IOException {
                healthy.writeAtomic(name, data);
            }

            @Override
            public void write(String name, byte[] data, Runnable midWrite) throws IOException {
                healthy.write(name, data, midWrite);
            }

            @Override
            public void delete(String name) throws IOException {
                healthy.delete(name);
            }
        };
        DeviceAgent b = AgentTestSupport.open(flipping, TRUST, M3);
        InstallReport r = b.install(bundle(2, 0, 11));
        assertEquals(InstallOutcome.REFUSED, r.outcome(), r.message());
        assertEquals(Optional.of(Check.DIGEST), r.check(), r.message());
        assertServes(b, 10);
    }
}

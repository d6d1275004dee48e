package io.edgeloop.ota.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.api.target.TargetProfile;
import io.edgeloop.ota.bundle.BundleLimits;
import io.edgeloop.ota.bundle.BundleVerificationException;
import io.edgeloop.ota.bundle.BundleVerifier;
import io.edgeloop.ota.bundle.Check;
import io.edgeloop.ota.bundle.VerificationPolicy;
import io.edgeloop.ota.testing.Fixtures;
import io.edgeloop.ota.trust.KeyAlgorithm;
import io.edgeloop.ota.trust.SigningKey;
import io.edgeloop.ota.trust.TrustRoot;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A device whose trust file has expired refuses every bundle as {@code trust-expired}. The refusal said "install a
 * newer trust file", not how (review LOW 8): a trust file's expiry is signed, so the way out is its next version with
 * a later expiry ({@code edgeloop bundle trust --previous ... --expires-days}), which the device takes as a rotation.
 * The device's report and {@code bundle verify} (the verifier's own message) say the same, and the advice works: the
 * rotated file is accepted by the expired one and the bundle installs.
 */
class TrustExpiredAdviceTest {
    static final SigningKey K = Fixtures.key(KeyAlgorithm.ED25519, 81);
    static final TrustRoot V1 = Fixtures.trust(1, K); // expires a year after Fixtures.NOW
    static final Instant LATER = Fixtures.NOW.plus(Duration.ofDays(400));

    @Test
    @DisplayName("the trust-expired refusal names the command that makes the next version, in the device's report "
            + "and in the verifier's message alike, and following it lets the bundle install")
    void refusalSaysHowToRenewTheTrustFile(@TempDir Path dir) throws Exception {
        Fixtures.Draft d = Fixtures.draft("har", 3, 0, 3, TargetProfile.JVM);
        d.manifest.expiresAt(LATER.plus(Duration.ofDays(30)));
        byte[] bundle = d.sign(K);
        Clock clock = Clock.fixed(LATER, ZoneOffset.UTC);

        BundleVerificationException verify = assertThrows(BundleVerificationException.class,
                () -> new BundleVerifier(V1, BundleLimits.DEFAULT, clock).verify(bundle,
                        VerificationPolicy.builder().build()));
        assertEquals(Check.TRUST_EXPIRED, verify.check());
        String m = verify.getMessage();
        // before: "the trust file (version 1) expired at 2027-06-01T00:00:00Z; install a newer trust file"
        assertTrue(m.contains("edgeloop bundle trust --previous") && m.contains("--expires-days")
                && m.contains("--sign") && m.contains("threshold (1)") && m.contains("DeviceAgent.rotateTrust"), m);
        assertTrue(m.endsWith("the update server to it"), "whole, not cut at the message limit: " + m);

        DeviceAgent agent = DeviceAgent.builder().deviceId("gw-1").model("har").target(TargetProfile.JVM).trust(V1)
                .storage(new FileDeviceStorage(dir.resolve("state"))).clock(clock).open();
        InstallReport refused = agent.install(bundle);
        assertEquals(InstallOutcome.REFUSED, refused.outcome());
        assertEquals(Optional.of(Check.TRUST_EXPIRED), refused.check());
        assertEquals(m, refused.message(), "the device says what bundle verify says");

        // what the advice says: the next version with a later expiry, signed by the expired file's threshold
        TrustRoot v2 = V1.toBuilder().version(2).createdAt(LATER).expiresAt(LATER.plus(Duration.ofDays(365)))
                .build().signedBy(K);
        agent.rotateTrust(v2);
        assertEquals(InstallOutcome.INSTALLED, agent.install(bundle).outcome());
    }
}

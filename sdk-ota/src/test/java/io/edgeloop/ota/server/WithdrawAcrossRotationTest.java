package io.edgeloop.ota.server;

import static io.edgeloop.ota.server.UntrustedPublicationTest.EVIL;
import static io.edgeloop.ota.server.UntrustedPublicationTest.K;
import static io.edgeloop.ota.server.UntrustedPublicationTest.K2;
import static io.edgeloop.ota.server.UntrustedPublicationTest.NOW;
import static io.edgeloop.ota.server.UntrustedPublicationTest.TRUST;
import static io.edgeloop.ota.server.UntrustedPublicationTest.har;
import static io.edgeloop.ota.server.UntrustedPublicationTest.snapshot;
import static io.edgeloop.ota.server.UntrustedPublicationTest.trustingStore;
import static io.edgeloop.ota.server.UntrustedPublicationTest.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.ota.bundle.BundleLimits;
import io.edgeloop.ota.bundle.BundleVerifier;
import io.edgeloop.ota.trust.SigningKey;
import io.edgeloop.ota.trust.TrustRoot;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Withdrawing with a trust file from before or after a key rotation (review LOW 7). The store judges with the keys
 * the file lists, and cannot tell a key only another version lists from a stranger's: with a newer file whose
 * rotation removed a key, bundles that key signed looked never accepted, so a frozen channel went back below the
 * sequence devices installed (8 to 5) and a healthy channel's installed latest was withdrawn; an expired older file
 * did the same with bundles signed by a key added since. Now the devices' earlier trust files can be given (oldest
 * first, checked as a chain of rotations) and a bundle any of them may have accepted counts, and an expired trust
 * file is refused: devices holding it accept nothing, it is not theirs.
 */
class WithdrawAcrossRotationTest {
    static final TrustRoot V1 = TRUST; // K
    static final TrustRoot V2 = TRUST.toBuilder().version(2).key(K2.publicKey()).build().signedBy(K, K2); // K, K2
    /** K removed from the listed keys (not revoked). */
    static final TrustRoot V3 = V2.toBuilder().version(3).removeKey(K.keyId()).build().signedBy(K, K2);

    /**
     * Channel stable published through a store trusting version 2: 5 signed by {@code five}, 8 by {@code eight};
     * when {@code frozen}, then 2^63-1 by a key outside every version, unverified.
     */
    static Path channel(Path dir, SigningKey five, SigningKey eight, boolean frozen) throws Exception {
        Path root = dir.resolve("srv");
        ChannelStore v2 = trustingStore(root, V2);
        v2.publish(write(dir, "5.bundle", har(5, five)), "stable");
        v2.publish(write(dir, "8.bundle", har(8, eight)), "stable");
        if (frozen) {
            ChannelStore.withoutVerification(root).publish(write(dir, "evil.bundle", har(Long.MAX_VALUE, EVIL)), "stable");
        }
        return root;
    }

    @Test
    @DisplayName("a newer trust file whose rotation removed a key, given with the earlier files, restores the "
            + "highest bundle that key signed, not a lower one")
    void newerFileWithEarlierOnesRestoresTheInstalledSequence(@TempDir Path dir) throws Exception {
        Path root = channel(dir, K2, K, true);
        // the newer file alone cannot know K: 8 looks never accepted (before: restored 5, below installed 8)
        Withdrawal w = trustingStore(root, V3).withdraw("stable", false, List.of(V1, V2));
        assertEquals(Long.MAX_VALUE, w.withdrawn().sequence());
        assertEquals(8, w.restored().orElseThrow().sequence());
    }

    @Test
    @DisplayName("a healthy channel's latest, signed by a key a later rotation removed, is not withdrawn when the "
            + "earlier files are given")
    void installedLatestSignedByARemovedKeyIsKept(@TempDir Path dir) throws Exception {
        Path root = channel(dir, K2, K, false);
        Map<String, String> before = snapshot(root);
        WithdrawalRefusedException e = assertThrows(WithdrawalRefusedException.class,
                () -> trustingStore(root, V3).withdraw("stable", false, List.of(V1, V2)));
        assertTrue(e.getMessage().contains("may once have been") && e.getMessage().contains("earlier one"),
                e.getMessage());
        assertEquals(before, snapshot(root), "a refused withdrawal changes nothing");
        // earlier files that are not a chain of rotations up to the store's are refused, not used
        WithdrawalRefusedException chain = assertThrows(WithdrawalRefusedException.class,
                () -> trustingStore(root, V3).withdraw("stable", false, List.of(V2, V1)));
        assertTrue(chain.getMessage().contains("oldest first"), chain.getMessage());
        assertEquals(before, snapshot(root));
    }

    @Test
    @DisplayName("an expired trust file (an older one) is refused, nothing changed: it would withdraw a bundle "
            + "signed by a key added since")
    void expiredTrustFileIsRefused(@TempDir Path dir) throws Exception {
        Path root = channel(dir, K, K2, false); // 8 signed by K2, which version 1 does not list
        Map<String, String> before = snapshot(root);
        // a year and a day on: version 1 (never rotated on this machine) has expired
        Clock later = Clock.offset(NOW, Duration.ofDays(366));
        ChannelStore old = new ChannelStore(root, new BundleVerifier(V1, BundleLimits.DEFAULT, later));
        // before: withdrew the installed 8 as unknown-key and published 5 again
        WithdrawalRefusedException e = assertThrows(WithdrawalRefusedException.class, () -> old.withdraw("stable"));
        assertTrue(e.getMessage().contains("expired") && e.getMessage().contains("not the trust file devices use "
                + "now"), e.getMessage());
        assertEquals(before, snapshot(root), "a refused withdrawal changes nothing");
    }
}

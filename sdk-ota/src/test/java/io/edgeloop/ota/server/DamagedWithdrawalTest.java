package io.edgeloop.ota.server;

import static io.edgeloop.ota.server.UntrustedPublicationTest.EVIL;
import static io.edgeloop.ota.server.UntrustedPublicationTest.K;
import static io.edgeloop.ota.server.UntrustedPublicationTest.TRUST;
import static io.edgeloop.ota.server.UntrustedPublicationTest.har;
import static io.edgeloop.ota.server.UntrustedPublicationTest.snapshot;
import static io.edgeloop.ota.server.UntrustedPublicationTest.trustingStore;
import static io.edgeloop.ota.server.UntrustedPublicationTest.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.api.provenance.Sha256;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A withdrawal judges the channel's stored bundles by their bytes, not by their names (review LOW: the bundle
 * published again after a withdrawal was trusted by the sha256 in its file name). A stored file whose bytes are not
 * the bundle its name gives (cut by a power loss, overwritten, another bundle copied in) is damage, reported as
 * {@link DamagedStoreException} naming it, with nothing changed: before, a damaged copy of the trusted latest was
 * withdrawn as never accepted (it no longer verified), a damaged copy of the highest trusted bundle was skipped for
 * a lower one, and another bundle under a stored name was published again under that name.
 */
class DamagedWithdrawalTest {

    /** Channel stable: 7 and 8 trusted, then 2^63-1 signed outside the trust root, published unverified. */
    static Path frozen(Path dir) throws Exception {
        Path root = dir.resolve("srv");
        ChannelStore trusting = trustingStore(root, TRUST);
        trusting.publish(write(dir, "har-7.bundle", har(7, K)), "stable");
        trusting.publish(write(dir, "har-8.bundle", har(8, K)), "stable");
        ChannelStore.withoutVerification(root).publish(write(dir, "evil-max.bundle", har(Long.MAX_VALUE, EVIL)), "stable");
        return root;
    }

    static Path stored(Path root, byte[] bundle) {
        return root.resolve("channels/stable/" + Sha256.hex(bundle) + ".bundle");
    }

    static void assertRefusedAsDamaged(Path root, Path damaged) throws Exception {
        Map<String, String> before = snapshot(root);
        DamagedStoreException e = assertThrows(DamagedStoreException.class,
                () -> trustingStore(root, TRUST).withdraw("stable"));
        assertEquals(damaged, e.path(), e.getMessage());
        assertEquals(root.relativize(damaged).toString(), e.entry());
        assertTrue(e.getMessage().contains(damaged.toString()) && e.getMessage().contains("nothing was changed"),
                e.getMessage());
        assertEquals(before, snapshot(root), "a refused withdrawal changes nothing");
    }

    @Test
    @DisplayName("a cut copy of the highest trusted bundle is reported as damage, not skipped for a lower one")
    void cutBundleIsDamageNotSkipped(@TempDir Path dir) throws Exception {
        Path root = frozen(dir);
        Path eight = stored(root, har(8, K));
        try (var ch = java.nio.channels.FileChannel.open(eight, StandardOpenOption.WRITE)) {
            ch.truncate(Files.size(eight) / 2);
        }
        assertRefusedAsDamaged(root, eight);
        // repaired from the published file, the withdrawal restores 8
        Files.write(eight, har(8, K));
        assertEquals(8, trustingStore(root, TRUST).withdraw("stable").restored().orElseThrow().sequence());
    }

    @Test
    @DisplayName("another trusted bundle copied under a stored bundle's name is reported, not published under it")
    void swappedBundleIsNotPublishedUnderItsName(@TempDir Path dir) throws Exception {
        Path root = frozen(dir);
        Path seven = stored(root, har(7, K));
        Files.write(seven, har(9, K)); // verifies, but is not the bundle named 7's digest
        assertRefusedAsDamaged(root, seven);
    }

    @Test
    @DisplayName("a trusted latest whose stored copy was damaged is not withdrawn as never accepted")
    void damagedTrustedLatestIsNotWithdrawn(@TempDir Path dir) throws Exception {
        Path root = dir.resolve("srv");
        ChannelStore trusting = trustingStore(root, TRUST);
        trusting.publish(write(dir, "har-7.bundle", har(7, K)), "stable");
        trusting.publish(write(dir, "har-8.bundle", har(8, K)), "stable");
        Path eight = stored(root, har(8, K));
        // one bit of its artifact flipped: it no longer verifies, yet devices may have installed 8
        Files.write(eight, UntrustedPublicationTest.tamper(har(8, K)));
        assertRefusedAsDamaged(root, eight);
    }
}

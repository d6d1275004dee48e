package io.edgeloop.ota.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.ota.bundle.BundleVerifier;
import java.lang.reflect.Constructor;
import java.lang.reflect.Modifier;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A channel store verifies by default: every public constructor takes the verifier (the devices' trust root), and
 * the store that checks readability only is the named opt-out {@link ChannelStore#withoutVerification}, so a
 * server on an unverified store reads as one where it is made (review: {@code new ChannelStore(root)} looked like
 * the ordinary store and let any readable bundle raise a channel's sequence floor).
 */
@DisplayName("ChannelStore verifies unless told otherwise by name")
class ChannelStoreVerificationDefaultTest {
    @Test
    @DisplayName("every public constructor takes a BundleVerifier; none makes an unverified store")
    void everyPublicConstructorTakesAVerifier() {
        List<String> without = new ArrayList<>();
        for (Constructor<?> c : ChannelStore.class.getConstructors()) {
            if (Modifier.isPublic(c.getModifiers())
                    && !Arrays.asList(c.getParameterTypes()).contains(BundleVerifier.class)) {
                without.add(c.toString());
            }
        }
        assertEquals(List.of(), without, "public constructors that make a store without verification");
    }

    @Test
    @DisplayName("the opt-out is named and has no verifier; the verifying constructor refuses a null verifier")
    void optOutIsNamed(@TempDir Path dir) throws Exception {
        ChannelStore unverified = ChannelStore.withoutVerification(dir.resolve("store"));
        assertTrue(unverified.verifier().isEmpty());
        assertThrows(NullPointerException.class, () -> new ChannelStore(dir.resolve("store"), null));
    }
}

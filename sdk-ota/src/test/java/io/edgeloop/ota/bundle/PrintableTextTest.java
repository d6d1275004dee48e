package io.edgeloop.ota.bundle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Text quoted from hostile input carries no control characters (review s8 ota item 4). */
class PrintableTextTest {
    @Test
    @DisplayName("replaces every C0, DEL and C1 control character with '?' and keeps everything else")
    void replacesControlCharacters() {
        assertEquals("a?[31mb?c?d?e?f?g h\u00e9\u20ac", PrintableText.of("a\u001b[31mb\u0007c\u0000d\ne\u007ff\u009bg h\u00e9\u20ac"));
        assertEquals("ab?", PrintableText.of("ab\tcd", 3));
        assertEquals("", PrintableText.of("", 5));
        assertThrows(IllegalArgumentException.class, () -> PrintableText.of("x", -1));
    }

    @Test
    @DisplayName("an archive whose tar header quotes ESC, BEL and NUL is refused with a message free of them")
    void archiveRefusalHasNoControlCharacters() {
        byte[] h = new byte[512];
        System.arraycopy("manifest.json".getBytes(StandardCharsets.US_ASCII), 0, h, 0, 13);
        System.arraycopy("0000644\0".getBytes(StandardCharsets.US_ASCII), 0, h, 100, 8);
        byte[] size = {0x1b, '[', '3', '1', 'm', 'X', '\n', 'Y', 0x07, 'Z', 'Z', 0};
        System.arraycopy(size, 0, h, 124, size.length);
        h[156] = '0';
        System.arraycopy("ustar\u000000".getBytes(StandardCharsets.US_ASCII), 0, h, 257, 8);
        java.util.Arrays.fill(h, 148, 156, (byte) ' ');
        int sum = 0;
        for (byte b : h) {
            sum += b & 0xff;
        }
        byte[] ck = String.format(java.util.Locale.ROOT, "%06o\0 ", sum).getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(ck, 0, h, 148, 8);
        byte[] archive = java.util.Arrays.copyOf(h, 1536);
        BundleVerificationException e = assertThrows(BundleVerificationException.class,
                () -> BundleArchive.read(new ByteArrayInputStream(archive), BundleLimits.DEFAULT));
        assertEquals(Check.ARCHIVE, e.check());
        // the refusal's own message (what an agent reports); the CLI also cleans the causes it quotes
        String m = e.getMessage();
        assertTrue(m.chars().noneMatch(Character::isISOControl), m.replaceAll("\\p{Cntrl}", "<C>"));
    }
}

package io.edgeloop.ota.bundle;

import static io.edgeloop.ota.testing.Fixtures.NOW;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.edgeloop.api.target.TargetProfile;
import io.edgeloop.ota.json.CanonicalJson;
import io.edgeloop.ota.testing.Fixtures;
import io.edgeloop.ota.testing.Fixtures.Draft;
import io.edgeloop.ota.testing.Fixtures.Raw;
import io.edgeloop.ota.testing.TestIntRuntimeProvider;
import io.edgeloop.ota.trust.KeyAlgorithm;
import io.edgeloop.ota.trust.SigningKey;
import io.edgeloop.ota.trust.TrustRoot;
import io.edgeloop.ota.server.ChannelStore;
import io.edgeloop.ota.server.PublicationRefusedException;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The attack suite against the verifier: every hostile bundle is refused with the check that names its
 * defect. (The same bundles are replayed against a device agent in {@code AgentAttackSuiteTest}.)
 */
class BundleAttackSuiteTest {
    static final SigningKey A = Fixtures.key(KeyAlgorithm.ED25519, 1);
    static final SigningKey B = Fixtures.key(KeyAlgorithm.P256, 2);
    static final SigningKey STRANGER = Fixtures.key(KeyAlgorithm.ED25519, 3);
    static final TrustRoot ONE_OF_TWO = Fixtures.trust(1, A, B);
    static final TrustRoot TWO_OF_TWO = Fixtures.trust(2, A, B);
    static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

    /** The device: cortex-m3 on sequence 5, epoch 1, runtime test-int 1.2.0. */
    static VerificationPolicy device() {
        return VerificationPolicy.builder().modelName("har").target(TargetProfile.CORTEX_M3).minimumSequence(6)
                .minimumEpoch(1).runtime(TestIntRuntimeProvider.NAME, TestIntRuntimeProvider.VERSION).build();
    }

    static Draft good() {
        return Fixtures.draft("har", 7, 1, 42, TargetProfile.AVR8, TargetProfile.CORTEX_M3, TargetProfile.JVM);
    }

    static VerifiedBundle verify(TrustRoot trust, byte[] bundle) throws BundleVerificationException {
        return new BundleVerifier(trust, BundleLimits.DEFAULT, CLOCK).verify(bundle, device());
    }

    static void refused(Check expected, byte[] bundle) {
        refused(expected, ONE_OF_TWO, bundle);
    }

    static void refused(Check expected, TrustRoot trust, byte[] bundle) {
        BundleVerificationException e = assertThrows(BundleVerificationException.class, () -> verify(trust, bundle));
        assertEquals(expected, e.check(), e.getMessage());
        assertTrue(e.getMessage().startsWith(expected.id() + ": "), e.getMessage());
        assertTrue(!e.getMessage().contains("\n"), "one line");
    }

    static byte[] signaturesJson(List<io.edgeloop.ota.trust.SignatureRecord> sigs) {
        var o = CanonicalJson.object();
        o.put("formatVersion", "1.0");
        var arr = o.putArray("signatures");
        sigs.forEach(s -> arr.add(s.toJson()));
        return CanonicalJson.bytes(o);
    }

    static byte[] replace(byte[] bundle, String name, byte[] data) {
        List<Raw> out = new ArrayList<>();
        for (Raw r : Fixtures.entriesOf(bundle)) {
            out.add(nameOf(r).equals(name) ? Raw.file(name, data) : r);
        }
        return Fixtures.rawTar(out);
    }

    static String nameOf(Raw r) {
        return entryName(r);
    }

    static String entryName(Raw r) {
        try {
            var f = Raw.class.getDeclaredField("entry");
            f.setAccessible(true);
            return ((org.apache.commons.compress.archivers.tar.TarArchiveEntry) f.get(r)).getName();
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] with(byte[] bundle, Raw extra) {
        List<Raw> out = new ArrayList<>(Fixtures.entriesOf(bundle));
        out.add(extra);
        return Fixtures.rawTar(out);
    }

    static byte[] gzip(byte[] b) throws Exception {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        try (GZIPOutputStream g = new GZIPOutputStream(bos)) {
            g.write(b);
        }
        return bos.toByteArray();
    }

    /** @return the offset of the named entry's ustar header */
    static int headerOf(byte[] tar, String name) {
        for (int off = 0; off + 512 <= tar.length; off += 512) {
            String n = new String(tar, off, 100, StandardCharsets.US_ASCII).replace("\0", "");
            if (n.equals(name) && tar[off + 257] == 'u') {
                return off;
            }
        }
        throw new IllegalArgumentException("no header for " + name);
    }

    /** Rewrites the type flag of the named entry's ustar header in place and fixes its checksum. */
    static byte[] withTypeFlag(byte[] tar, String name, byte flag) {
        byte[] b = tar.clone();
        for (int off = 0; off + 512 <= b.length; off += 512) {
            String n = new String(b, off, 100, StandardCharsets.US_ASCII).replace("\0", "");
            if (n.equals(name) && b[off + 257] == 'u') {
                b[off + 156] = flag;
                Arrays.fill(b, off + 148, off + 156, (byte) ' ');
                long sum = 0;
                for (int i = 0; i < 512; i++) {
                    sum += b[off + i] & 0xff;
                }
                byte[] cs = String.format("%06o", sum).getBytes(StandardCharsets.US_ASCII);
                System.arraycopy(cs, 0, b, off + 148, 6);
                b[off + 154] = 0;
                b[off + 155] = ' ';
                return b;
            }
        }
        throw new IllegalArgumentException("no ustar header named " + name);
    }

    /** The offsets just after each entry's padded data (header boundaries), from the tar headers. */
    static List<Integer> entryEnds(byte[] tar) {
        List<Integer> ends = new ArrayList<>();
        int off = 0;
        while (off + 512 <= tar.length) {
            boolean zero = true;
            for (int i = 0; i < 512 && zero; i++) {
                zero = tar[off + i] == 0;
            }
            if (zero) {
                break;
            }
            String sz = new String(tar, off + 124, 12, StandardCharsets.US_ASCII).replace("\0", "").trim();
            long size = Long.parseLong(sz, 8);
            boolean extension = tar[off + 156] == 'x';
            off += 512 + (int) ((size + 511) / 512 * 512);
            if (!extension) {
                ends.add(off);
            }
        }
        return ends;
    }

    /** A ustar header of the given type flag declaring a body of {@code size} bytes. */
    static byte[] extensionHeader(byte flag, long size) {
        byte[] h = new byte[512];
        byte[] name = "././@LongLink".getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(name, 0, h, 0, name.length);
        System.arraycopy("0000644\0".getBytes(StandardCharsets.US_ASCII), 0, h, 100, 8);
        System.arraycopy("0000000\0".getBytes(StandardCharsets.US_ASCII), 0, h, 108, 8);
        System.arraycopy("0000000\0".getBytes(StandardCharsets.US_ASCII), 0, h, 116, 8);
        System.arraycopy(String.format("%011o\0", size).getBytes(StandardCharsets.US_ASCII), 0, h, 124, 12);
        System.arraycopy("00000000000\0".getBytes(StandardCharsets.US_ASCII), 0, h, 136, 12);
        h[156] = flag;
        System.arraycopy("ustar\0".getBytes(StandardCharsets.US_ASCII), 0, h, 257, 6);
        h[263] = '0';
        h[264] = '0';
        Arrays.fill(h, 148, 156, (byte) ' ');
        long sum = 0;
        for (byte x : h) {
            sum += x & 0xff;
        }
        System.arraycopy(String.format("%06o", sum).getBytes(StandardCharsets.US_ASCII), 0, h, 148, 6);
        h[154] = 0;
        return h;
    }

    /** Serves a header, then an endless body of 'a' (a name that never ends), counting what was read. */
    static final class CountingSource extends java.io.InputStream {
        final byte[] header;
        long served;

        CountingSource(byte[] header) {
            this.header = header;
        }

        @Override
        public int read() {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            for (int i = 0; i < len; i++) {
                b[off + i] = served + i < header.length ? header[(int) (served + i)] : (byte) 'a';
            }
            served += len;
            return len;
        }
    }

    @Nested
    @DisplayName("a valid bundle")
    class Valid {
        @Test
        @DisplayName("is accepted as tar and as gzip-compressed tar, selecting the device's artifact")
        void acceptsValid() throws Exception {
            for (byte[] b : List.of(good().sign(A), good().signGzip(A))) {
                VerifiedBundle v = verify(ONE_OF_TWO, b);
                assertEquals("cortex-m3", v.selected().orElseThrow().target());
                assertEquals(7, v.manifest().sequence());
                assertEquals(java.util.Set.of(A.keyId()), v.signers());
            }
        }

        @Test
        @DisplayName("is accepted with a 2-of-2 threshold when both keys (Ed25519 and P-256) sign")
        void acceptsThreshold() throws Exception {
            assertEquals(2, verify(TWO_OF_TWO, good().sign(A, B)).signers().size());
        }

        @Test
        @DisplayName("is not written with one key signing twice (same instance or the same key loaded again)")
        void writerRefusesDuplicateKeys() {
            Draft d = good();
            for (SigningKey again : List.of(A, Fixtures.key(KeyAlgorithm.ED25519, 1))) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> BundleWriter.toBytes(d.build(), d.artifacts, List.of(A, B, again), false));
                assertTrue(e.getMessage().contains(A.keyId()), e.getMessage());
            }
        }

        @Test
        @DisplayName("is written byte-identically for identical inputs")
        void deterministic() {
            assertArrayEquals(good().sign(A, B), good().sign(A, B));
        }
    }

    @Nested
    @DisplayName("authenticity attacks")
    class Authenticity {
        @Test
        @DisplayName("refuses a tampered artifact")
        void tamperedArtifact() {
            byte[] b = good().sign(A);
            byte[] model = Fixtures.model(42);
            model[model.length - 3] ^= 1;
            refused(Check.DIGEST, replace(b, "artifacts/cortex-m3/model.json", model));
        }

        @Test
        @DisplayName("refuses a tampered manifest")
        void tamperedManifest() throws Exception {
            byte[] b = good().sign(A);
            byte[] m = good().build().canonicalBytes();
            String s = new String(m, StandardCharsets.UTF_8).replace("\"sequence\":7", "\"sequence\":9");
            refused(Check.SIGNATURE_INVALID, replace(b, "manifest.json", s.getBytes(StandardCharsets.UTF_8)));
        }

        @Test
        @DisplayName("refuses a signature by an unknown key")
        void unknownKey() {
            refused(Check.UNKNOWN_KEY, good().sign(STRANGER));
        }

        @Test
        @DisplayName("refuses a signature by a revoked key")
        void revokedKey() {
            TrustRoot revoked = ONE_OF_TWO.toBuilder().version(2).revoke(A.keyId()).build();
            refused(Check.REVOKED_KEY, revoked, good().sign(A));
        }

        @Test
        @DisplayName("refuses too few signatures for the threshold")
        void tooFew() {
            refused(Check.THRESHOLD, TWO_OF_TWO, good().sign(A));
        }

        @Test
        @DisplayName("counts one key's repeated signature once")
        void repeatedSignature() {
            byte[] b = good().sign(A);
            byte[] msg = good().build().signedBytes();
            var sig = A.signRecord(msg);
            refused(Check.THRESHOLD, TWO_OF_TWO, replace(b, "signatures.json", signaturesJson(List.of(sig, sig, sig))));
        }

        @Test
        @DisplayName("refuses a bundle without signatures.json or with an empty list")
        void missingSignatures() {
            byte[] b = good().sign(A);
            List<Raw> out = new ArrayList<>();
            for (Raw r : Fixtures.entriesOf(b)) {
                if (!nameOf(r).equals("signatures.json")) {
                    out.add(r);
                }
            }
            refused(Check.SIGNATURES_MISSING, Fixtures.rawTar(out));
            refused(Check.SIGNATURES_MISSING, replace(b, "signatures.json", signaturesJson(List.of())));
        }

        @Test
        @DisplayName("a signatures.json without the formatVersion key is refused as missing it, not as version ''")
        void signaturesWithoutFormatVersion() {
            byte[] b = good().sign(A);
            var o = CanonicalJson.object();
            o.putArray("signatures").add(A.signRecord(good().build().signedBytes()).toJson());
            byte[] x = replace(b, "signatures.json", CanonicalJson.bytes(o));
            refused(Check.SIGNATURES_MISSING, x);
            BundleVerificationException e = assertThrows(BundleVerificationException.class, () -> verify(ONE_OF_TWO, x));
            assertEquals("signatures-missing: signatures.json has no formatVersion key (this SDK reads 1.x)",
                    e.getMessage(), "old code: unsupported signatures.json formatVersion ''");
        }

        @Test
        @DisplayName("refuses a signed manifest that is not canonical JSON (duplicate keys, whitespace)")
        void nonCanonicalManifest() {
            byte[] b = good().sign(A);
            String m = new String(good().build().canonicalBytes(), StandardCharsets.UTF_8);
            for (String bad : List.of(m.replace("{\"artifacts\"", "{\"name\":\"evil\",\"artifacts\""),
                    m.replace(",\"name\"", ", \"name\""))) {
                byte[] raw = bad.getBytes(StandardCharsets.UTF_8);
                byte[] signed = BundleManifest.signedBytes(raw);
                byte[] x = replace(replace(b, "manifest.json", raw), "signatures.json",
                        signaturesJson(List.of(A.signRecord(signed))));
                refused(Check.MANIFEST, x);
            }
        }

        @Test
        @DisplayName("refuses a signed manifest of an unknown major format version")
        void unknownMajor() {
            byte[] b = good().sign(A);
            String m = new String(good().build().canonicalBytes(), StandardCharsets.UTF_8)
                    .replace("\"formatVersion\":\"1.0\"", "\"formatVersion\":\"2.0\"");
            byte[] raw = m.getBytes(StandardCharsets.UTF_8);
            byte[] x = replace(replace(b, "manifest.json", raw), "signatures.json",
                    signaturesJson(List.of(A.signRecord(BundleManifest.signedBytes(raw)))));
            BundleVerificationException e = assertThrows(BundleVerificationException.class, () -> verify(ONE_OF_TWO, x));
            assertEquals(Check.MANIFEST, e.check());
            assertTrue(e.getMessage().contains("formatVersion 2.0"), e.getMessage());
        }

        @Test
        @DisplayName("refuses a signed manifest whose inputSize or outputSize is outside the int range, naming the field")
        void sizesOutOfIntRange() {
            byte[] b = good().sign(A);
            String m = new String(good().build().canonicalBytes(), StandardCharsets.UTF_8);
            // 2^32 + 3 used to be narrowed to 3: the manifest claimed one shape and the device used another.
            String[][] cases = {{"\"inputSize\":3", "\"inputSize\":4294967299", "'inputSize'"},
                {"\"outputSize\":2", "\"outputSize\":4294967298", "'outputSize'"},
                {"\"inputSize\":3", "\"inputSize\":-1", "'inputSize'"}};
            for (String[] c : cases) {
                assertTrue(m.contains(c[0]), m);
                byte[] raw = m.replace(c[0], c[1]).getBytes(StandardCharsets.UTF_8);
                byte[] x = replace(replace(b, "manifest.json", raw), "signatures.json",
                        signaturesJson(List.of(A.signRecord(BundleManifest.signedBytes(raw)))));
                BundleVerificationException e = assertThrows(BundleVerificationException.class,
                        () -> verify(ONE_OF_TWO, x), c[1]);
                assertEquals(Check.MANIFEST, e.check(), e.getMessage());
                assertTrue(e.getMessage().contains(c[2]), e.getMessage());
            }
        }

        @Test
        @DisplayName("refuses every bundle once the trust file has expired")
        void trustExpired() {
            TrustRoot old = TrustRoot.builder().createdAt(NOW.minusSeconds(1000)).expiresAt(NOW.minusSeconds(1))
                    .key(A.publicKey()).threshold(1).build();
            refused(Check.TRUST_EXPIRED, old, good().sign(A));
        }
    }

    @Nested
    @DisplayName("freshness and targeting attacks")
    class Freshness {
        @Test
        @DisplayName("refuses an expired bundle")
        void expired() {
            Draft d = good();
            d.manifest.createdAt(NOW.minusSeconds(7200)).expiresAt(NOW.minusSeconds(1));
            refused(Check.EXPIRED, d.sign(A));
        }

        @Test
        @DisplayName("refuses a sequence below the device's (rollback)")
        void rollback() {
            refused(Check.ROLLBACK, Fixtures.draft("har", 3, 1, 42, TargetProfile.CORTEX_M3).sign(A));
        }

        @Test
        @DisplayName("refuses the replay of an older valid bundle (the device's current sequence)")
        void replay() {
            refused(Check.ROLLBACK, Fixtures.draft("har", 5, 1, 42, TargetProfile.CORTEX_M3).sign(A));
        }

        @Test
        @DisplayName("refuses a security epoch below the device's committed epoch")
        void epoch() {
            refused(Check.SECURITY_EPOCH, Fixtures.draft("har", 9, 0, 42, TargetProfile.CORTEX_M3).sign(A));
        }

        @Test
        @DisplayName("refuses a bundle with artifacts for other hardware variants only")
        void otherVariant() {
            refused(Check.TARGET, Fixtures.draft("har", 7, 1, 42, TargetProfile.AVR8, TargetProfile.JVM).sign(A));
        }

        @Test
        @DisplayName("refuses an artifact for another runtime version")
        void runtime() {
            BundleVerificationException e = assertThrows(BundleVerificationException.class,
                    () -> new BundleVerifier(ONE_OF_TWO, BundleLimits.DEFAULT, CLOCK).verify(good().sign(A),
                            VerificationPolicy.builder().target(TargetProfile.CORTEX_M3).runtime("test-int", "2.1.0")
                                    .build()));
            assertEquals(Check.RUNTIME, e.check());
        }

        @Test
        @DisplayName("refuses artifacts mixed from two bundles")
        void mixAndMatch() {
            byte[] first = good().sign(A);
            byte[] other = Fixtures.draft("har", 8, 1, 99, TargetProfile.CORTEX_M3).sign(A);
            byte[] foreign = null;
            for (Raw r : Fixtures.entriesOf(other)) {
                if (nameOf(r).equals("artifacts/cortex-m3/model.json")) {
                    foreign = rawData(r);
                }
            }
            refused(Check.DIGEST, replace(first, "artifacts/cortex-m3/model.json", foreign));
        }

        @Test
        @DisplayName("refuses an archive entry the manifest does not list")
        void extraneous() {
            refused(Check.ENTRY_SET, with(good().sign(A), Raw.file("artifacts/cortex-m3/extra.bin", new byte[10])));
        }
    }

    static byte[] rawData(Raw r) {
        try {
            var f = Raw.class.getDeclaredField("data");
            f.setAccessible(true);
            return (byte[]) f.get(r);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    @Nested
    @DisplayName("archive attacks")
    class Archive {
        @Test
        @DisplayName("refuses path traversal and absolute paths")
        void traversal() {
            byte[] b = good().sign(A);
            for (String name : List.of("../../etc/cron.d/evil", "artifacts/../../evil", "/etc/passwd",
                    "artifacts/./x", "artifacts//x", "artifacts\\..\\x", "C:/evil")) {
                refused(Check.PATH, with(b, Raw.file(name, new byte[4])));
            }
            refused(Check.PATH, with(b, Raw.file("README.txt", new byte[4])));
        }

        @Test
        @DisplayName("refuses symlinks, hard links, device files, FIFOs and directories")
        void entryTypes() {
            byte[] b = good().sign(A);
            refused(Check.ENTRY_TYPE, with(b, Raw.special("artifacts/link", TarConstants.LF_SYMLINK, "/etc/passwd")));
            refused(Check.ENTRY_TYPE, with(b, Raw.special("artifacts/hard", TarConstants.LF_LINK, "manifest.json")));
            refused(Check.ENTRY_TYPE, with(b, Raw.special("artifacts/tty", TarConstants.LF_CHR, null)));
            refused(Check.ENTRY_TYPE, with(b, Raw.special("artifacts/sda", TarConstants.LF_BLK, null)));
            refused(Check.ENTRY_TYPE, with(b, Raw.special("artifacts/fifo", TarConstants.LF_FIFO, null)));
            refused(Check.ENTRY_TYPE, with(b, Raw.special("artifacts/dir/", TarConstants.LF_DIR, null)));
        }

        @Test
        @DisplayName("refuses a listed artifact whose tar type flag is anything but a regular file ('0' or NUL)")
        void unknownTypeFlags() {
            byte[] b = good().sign(A);
            // GNU tar reads these as a volume label, a continuation, a dump directory, ...: never as the file.
            for (char flag : new char[] {'V', 'M', 'N', 'D', '7', 'A', 'Z', 'S', 'I'}) {
                refused(Check.ENTRY_TYPE, withTypeFlag(b, "artifacts/cortex-m3/model.json", (byte) flag));
            }
            // Both spellings of a regular file stay accepted.
            assertDoesNotThrow(() -> verify(ONE_OF_TWO, withTypeFlag(b, "artifacts/cortex-m3/model.json", (byte) '0')));
            assertDoesNotThrow(() -> verify(ONE_OF_TWO, withTypeFlag(b, "artifacts/cortex-m3/model.json", (byte) 0)));
        }

        @Test
        @DisplayName("refuses long-name and pax headers above the cap before buffering their bodies")
        void oversizedExtendedHeaders() throws Exception {
            for (byte flag : new byte[] {'L', 'K', 'x', 'g'}) {
                byte[] header = extensionHeader(flag, 100L << 20);
                CountingSource src = new CountingSource(header);
                BundleVerificationException e = assertThrows(BundleVerificationException.class,
                        () -> BundleArchive.read(src, BundleLimits.DEFAULT));
                assertEquals(Check.SIZE_LIMIT, e.check(), e.getMessage());
                assertTrue(e.getMessage().contains("8192"), e.getMessage());
                // One 64 KiB read-ahead buffer at most, not the 100 MiB body.
                assertTrue(src.served <= 128 * 1024, "read " + src.served + " bytes of a 100 MiB header body");
            }
            // A pax header that is merely long (a 300-character name) is still read, and the name check refuses it.
            refused(Check.PATH, with(good().sign(A), Raw.file("artifacts/" + "a".repeat(300), new byte[1])));
        }

        @Test
        @DisplayName("refuses an archive cut at an entry boundary (no end-of-archive marker) as truncated")
        void truncatedAtEntryBoundary() throws Exception {
            byte[] b = good().sign(A);
            List<Integer> ends = entryEnds(b);
            for (int end : ends) {
                refused(Check.ARCHIVE, Arrays.copyOf(b, end));
                refused(Check.ARCHIVE, gzip(Arrays.copyOf(b, end)));
            }
            // The two zero records are enough; one zero record alone also ends the archive (as GNU tar reads it).
            int last = ends.get(ends.size() - 1);
            assertDoesNotThrow(() -> verify(ONE_OF_TWO, Arrays.copyOf(b, last + 1024)));
            assertDoesNotThrow(() -> verify(ONE_OF_TWO, Arrays.copyOf(b, last + 512)));
        }

        @Test
        @DisplayName("refuses a tar header whose checksum does not match, as GNU tar does, in the verifier and on publish")
        void wrongHeaderChecksum(@TempDir Path dir) throws Exception {
            byte[] b = good().sign(A);
            int artifactHeader = headerOf(b, "artifacts/cortex-m3/model.json");
            // one byte of the checksum, mode, uid, mtime and uname fields of the first header, then of a later one;
            // commons-compress read all of these as the original archive (verify accepted them), GNU tar 1.34 says
            // "This does not look like a tar archive" / "Skipping to next header" and exits 2
            for (int header : new int[] {0, artifactHeader}) {
                for (int field : new int[] {148, 100, 108, 136, 265}) {
                    byte[] flipped = b.clone();
                    flipped[header + field] ^= 0x01;
                    for (byte[] bundle : List.of(flipped, gzip(flipped))) {
                        BundleVerificationException e = assertThrows(BundleVerificationException.class,
                                () -> verify(ONE_OF_TWO, bundle), "byte " + (header + field));
                        assertEquals("archive: corrupt tar header at byte " + header
                                + (header == 0 ? " (the first one)" : "") + ": its checksum does not match its "
                                + "contents (the file is damaged or was altered; GNU tar refuses it too)",
                                e.getMessage());
                    }
                    // the update server reads what it is given with the same reader, verifying or not
                    Path file = Files.write(dir.resolve("flipped.bundle"), flipped);
                    for (ChannelStore store : List.of(ChannelStore.withoutVerification(dir.resolve("plain")),
                            new ChannelStore(dir.resolve("verifying"), new BundleVerifier(ONE_OF_TWO, BundleLimits.DEFAULT, CLOCK)))) {
                        PublicationRefusedException e = assertThrows(PublicationRefusedException.class,
                                () -> store.publish(file, "stable"));
                        assertTrue(e.getMessage().contains("archive: corrupt tar header at byte " + header),
                                e.getMessage());
                        assertTrue(store.latest("stable").isEmpty());
                    }
                }
            }
            assertDoesNotThrow(() -> verify(ONE_OF_TWO, b));
        }

        @Test
        @DisplayName("refuses a later tar header whose checksum field is no octal number as a corrupt header")
        void nonOctalChecksumInALaterHeader() throws Exception {
            byte[] b = good().sign(A);
            int artifactHeader = headerOf(b, "artifacts/cortex-m3/model.json");
            byte[] z = b.clone();
            Arrays.fill(z, artifactHeader + 148, artifactHeader + 156, (byte) 'z');
            for (byte[] bundle : List.of(z, gzip(z))) {
                // it said commons-compress's "Invalid byte 122 at offset 0 in 'zzzzzzzz' len=8"
                BundleVerificationException e = assertThrows(BundleVerificationException.class,
                        () -> verify(ONE_OF_TWO, bundle));
                assertEquals("archive: corrupt tar header at byte " + artifactHeader + ": its checksum does not match "
                        + "its contents (the file is damaged or was altered; GNU tar refuses it too)", e.getMessage());
            }
        }

        @Test
        @DisplayName("refuses duplicate entries")
        void duplicates() {
            byte[] b = good().sign(A);
            refused(Check.DUPLICATE_ENTRY, with(b, Raw.file("manifest.json", good().build().canonicalBytes())));
            refused(Check.DUPLICATE_ENTRY, with(b, Raw.file("artifacts/cortex-m3/model.json", Fixtures.model(42))));
        }

        @Test
        @DisplayName("refuses a decompression bomb")
        void bomb() throws Exception {
            byte[] zeros = new byte[32 << 20];
            byte[] tar = with(good().sign(A), Raw.file("artifacts/zeros.bin", zeros));
            byte[] bomb = gzip(tar);
            assertTrue(bomb.length < 100_000);
            refused(Check.SIZE_LIMIT, bomb);
        }

        @Test
        @DisplayName("refuses entries and archives above the size limits")
        void limits() {
            BundleLimits small = new BundleLimits(8, 1024, 4096, 1 << 20, 4096, 100);
            byte[] b = with(good().sign(A), Raw.file("artifacts/big.bin", new byte[2048]));
            BundleVerificationException e = assertThrows(BundleVerificationException.class,
                    () -> new BundleVerifier(ONE_OF_TWO, small, CLOCK).verify(b, device()));
            assertEquals(Check.SIZE_LIMIT, e.check());
            List<Raw> many = new ArrayList<>(Fixtures.entriesOf(good().sign(A)));
            for (int i = 0; i < 10; i++) {
                many.add(Raw.file("artifacts/f" + i, new byte[1]));
            }
            e = assertThrows(BundleVerificationException.class,
                    () -> new BundleVerifier(ONE_OF_TWO, small, CLOCK).verify(Fixtures.rawTar(many), device()));
            assertEquals(Check.SIZE_LIMIT, e.check());
        }

        @Test
        @DisplayName("refuses an oversized manifest")
        void oversizedManifest() {
            byte[] huge = new byte[BundleLimits.DEFAULT.maxManifestBytes() + 1];
            Arrays.fill(huge, (byte) ' ');
            refused(Check.SIZE_LIMIT, replace(good().sign(A), "manifest.json", huge));
        }

        @Test
        @DisplayName("refuses a truncated archive, plain or compressed")
        void truncated() throws Exception {
            byte[] b = good().sign(A);
            refused(Check.ARCHIVE, Arrays.copyOf(b, 1500));
            // cut inside an entry's content: said so, with the entry (it used to be commons-compress's bare words)
            BundleVerificationException e = assertThrows(BundleVerificationException.class,
                    () -> verify(ONE_OF_TWO, Arrays.copyOf(b, 600)));
            assertTrue(e.getMessage().startsWith("archive: truncated archive: it is cut short inside entry '"),
                    e.getMessage());
            byte[] gz = good().signGzip(A);
            refused(Check.ARCHIVE, Arrays.copyOf(gz, gz.length / 2));
        }

        @Test
        @DisplayName("refuses garbage, empty input and gzip-wrapped garbage")
        void garbage() throws Exception {
            byte[] junk = new byte[20_000];
            new Random(5).nextBytes(junk);
            refused(Check.ARCHIVE, junk);
            refused(Check.ARCHIVE, new byte[0]);
            refused(Check.ARCHIVE, new byte[10_240]);
            refused(Check.ARCHIVE, gzip(junk));
            refused(Check.ARCHIVE, "{\"not\":\"a bundle\"}".getBytes(StandardCharsets.UTF_8));
            BundleVerificationException e = assertThrows(BundleVerificationException.class,
                    () -> verify(ONE_OF_TWO, "not a bundle".getBytes(StandardCharsets.UTF_8)));
            assertTrue(e.getMessage().contains("not a bundle: the input (12 bytes)"), e.getMessage());
        }
    }

    @Test
    @DisplayName("refuses hostile bundles it has not seen: 3000 seeded mutations are refused or change nothing")
    void fuzz() throws Exception {
        byte[] base = good().sign(A);
        VerifiedBundle ref = verify(ONE_OF_TWO, base);
        Random r = new Random(20261129);
        int refusedCount = 0;
        for (int i = 0; i < 3000; i++) {
            byte[] m = base.clone();
            int kind = r.nextInt(4);
            if (kind == 0) {
                for (int f = 0; f < 1 + r.nextInt(4); f++) {
                    int p = r.nextInt(m.length);
                    m[p] ^= (byte) (1 << r.nextInt(8));
                }
            } else if (kind == 1) {
                m = Arrays.copyOf(m, r.nextInt(m.length));
            } else if (kind == 2) {
                int p = r.nextInt(m.length);
                m[p] = (byte) r.nextInt(256);
            } else {
                int p = r.nextInt(m.length - 512);
                System.arraycopy(base, r.nextInt(m.length - 512), m, p, 512);
            }
            try {
                VerifiedBundle v = verify(ONE_OF_TWO, m);
                assertArrayEquals(ref.manifest().canonicalBytes(), v.manifest().canonicalBytes(),
                        "mutation " + i + " accepted a different manifest");
                for (ArtifactEntry a : ref.manifest().artifacts()) {
                    assertArrayEquals(ref.bytes(a), v.bytes(a), "mutation " + i + " accepted different bytes");
                }
            } catch (BundleVerificationException e) {
                refusedCount++;
            } catch (RuntimeException e) {
                fail("mutation " + i + " crashed the verifier instead of refusing: " + e, e);
            }
        }
        assertTrue(refusedCount > 1500, "most mutations must be refused, got " + refusedCount);
    }
}

package io.edgeloop.ota.trust;

import static io.edgeloop.ota.testing.Fixtures.NOW;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.ota.testing.Fixtures;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrustRootTest {
    static final SigningKey A = Fixtures.key(KeyAlgorithm.ED25519, 11);
    static final SigningKey B = Fixtures.key(KeyAlgorithm.P256, 12);
    static final SigningKey C = Fixtures.key(KeyAlgorithm.ED25519, 13);
    static final SigningKey D = Fixtures.key(KeyAlgorithm.P256, 14);

    @Test
    @DisplayName("round-trips Ed25519 and P-256 keys through PEM/PKCS#8 files and signs verifiably")
    void pemRoundTrip(@TempDir Path dir) throws Exception {
        for (KeyAlgorithm alg : KeyAlgorithm.values()) {
            SigningKey k = SigningKey.generate(alg, new SecureRandom());
            Path kd = dir.resolve(alg.id());
            k.writePemPair(kd);
            SigningKey back = SigningKey.readPem(kd.resolve("private.pem"));
            VerificationKey pub = VerificationKey.readPem(kd.resolve("public.pem"));
            assertEquals(alg, back.algorithm());
            assertEquals(k.keyId(), back.keyId());
            assertEquals(k.keyId(), pub.keyId());
            byte[] msg = "hello".getBytes(StandardCharsets.UTF_8);
            assertTrue(pub.verify(msg, back.sign(msg)));
            assertFalse(pub.verify("hellp".getBytes(StandardCharsets.UTF_8), back.sign(msg)));
            assertThrows(java.io.IOException.class, () -> k.writePemPair(kd), "never overwrites a private key");
        }
    }

    @Test
    @DisplayName("a key pair write failing part way (a full disk) leaves neither file nor a temporary one, and a retry"
            + " succeeds")
    void failedKeyWriteLeavesNothing(@TempDir Path dir) throws Exception {
        SigningKey k = SigningKey.generate(KeyAlgorithm.P256, new SecureRandom());
        for (int failing = 0; failing < 2; failing++) {
            Path kd = dir.resolve("k" + failing);
            int[] calls = {0};
            int fail = failing;
            java.io.IOException e = assertThrows(java.io.IOException.class, () -> k.writePemPair(kd, content -> out -> {
                if (calls[0]++ == fail) {
                    out.write("-----BEGIN".getBytes(StandardCharsets.US_ASCII));
                    throw new java.io.IOException("No space left on device");
                }
                content.writeTo(out);
            }));
            assertTrue(e.getMessage().contains("No space left on device") && e.getMessage().contains(kd.toString()),
                    e.getMessage());
            try (java.util.stream.Stream<Path> left = Files.list(kd)) {
                assertEquals(List.of(), left.toList(), "failing write " + failing + " left files behind");
            }
            k.writePemPair(kd);
            assertEquals(k.keyId(), SigningKey.readPem(kd.resolve("private.pem")).keyId());
            assertEquals(k.keyId(), VerificationKey.readPem(kd.resolve("public.pem")).keyId());
            if (kd.getFileSystem().supportedFileAttributeViews().contains("posix")) {
                assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
                        Files.getPosixFilePermissions(kd.resolve("private.pem"))));
            }
            try (java.util.stream.Stream<Path> left = Files.list(kd)) {
                assertEquals(2, left.count(), "only the two keys");
            }
        }
    }

    @Test
    @DisplayName("refuses PEM files that are not keys, or keys of another curve")
    void badPem(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("x.pem");
        Files.writeString(f, "not pem");
        assertThrows(java.io.IOException.class, () -> VerificationKey.readPem(f));
        Files.writeString(f, A.toPrivatePem());
        assertThrows(java.io.IOException.class, () -> VerificationKey.readPem(f), "a private key is not a public key");
        java.security.KeyPairGenerator g = java.security.KeyPairGenerator.getInstance("EC");
        g.initialize(new java.security.spec.ECGenParameterSpec("secp384r1"));
        String p384 = "-----BEGIN PUBLIC KEY-----\n"
                + java.util.Base64.getMimeEncoder().encodeToString(g.generateKeyPair().getPublic().getEncoded())
                + "\n-----END PUBLIC KEY-----\n";
        Files.writeString(f, p384);
        assertThrows(java.io.IOException.class, () -> VerificationKey.readPem(f), "P-384 is not accepted");
    }

    @Test
    @DisplayName("a rotated root must meet its own threshold over its current content; an unsigned version 1 is taken"
            + " as provisioned")
    void requireOwnSignatures() throws Exception {
        TrustRoot v1 = Fixtures.trust(1, A);
        assertEquals(v1, v1.requireOwnSignatures());
        TrustRoot v2 = v1.toBuilder().version(2).removeKey(A.keyId()).key(B.publicKey())
                .revoke(A.keyId()).build().signedBy(A, B);
        assertEquals(v2, v2.requireOwnSignatures());
        assertEquals(v2, v1.acceptRotation(v2, NOW));
        TrustRoot edited = TrustRoot.parse(new String(v2.toBytes(), StandardCharsets.UTF_8)
                .replace("\"revokedKeys\":[\"" + A.keyId() + "\"]", "\"revokedKeys\":[]")
                .getBytes(StandardCharsets.UTF_8));
        assertTrue(edited.revokedKeys().isEmpty(), "the edit took");
        TrustException e = assertThrows(TrustException.class, edited::requireOwnSignatures);
        assertTrue(e.getMessage().contains("not signed by its own threshold"), e.getMessage());
        assertFalse(edited.ownSignatures().met());
        TrustRoot unsigned = v1.toBuilder().version(2).build();
        assertThrows(TrustException.class, unsigned::requireOwnSignatures);
    }

    @Test
    @DisplayName("round-trips a trust file and rejects tampered key ids and unknown major versions")
    void fileRoundTrip(@TempDir Path dir) throws Exception {
        TrustRoot t = Fixtures.trust(2, A, B, C).toBuilder().revoke(D.keyId()).build();
        Path f = dir.resolve("trust.json");
        t.write(f);
        TrustRoot back = TrustRoot.read(f);
        assertEquals(2, back.threshold());
        assertEquals(3, back.keys().size());
        assertTrue(back.revokedKeys().contains(D.keyId()));
        String s = Files.readString(f);
        Files.writeString(f, s.replace(A.keyId(), D.keyId()));
        assertThrows(TrustException.class, () -> TrustRoot.read(f));
        Files.writeString(f, s.replace("\"formatVersion\":\"1.0\"", "\"formatVersion\":\"2.0\""));
        TrustException e = assertThrows(TrustException.class, () -> TrustRoot.read(f));
        assertTrue(e.getMessage().contains("2.0"));
    }

    @Test
    @DisplayName("refuses revoked key ids that are not 64 lowercase hex digits, built or read")
    void revokedKeyIdsMustBeKeyIds() throws Exception {
        for (String bad : new String[] {"A", A.keyId().toUpperCase(java.util.Locale.ROOT), A.keyId() + "0",
                A.keyId().substring(1), " " + A.keyId().substring(1)}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Fixtures.trust(1, A, B).toBuilder().revoke(bad).build(), bad);
            assertTrue(e.getMessage().contains("64 lowercase hex digits"), e.getMessage());
        }
        String good = new String(Fixtures.trust(1, A, B).toBuilder().revoke(C.keyId()).build().toBytes(),
                StandardCharsets.UTF_8);
        String[][] damaged = {
            {"[\"" + C.keyId() + "\"]", "[\"" + C.keyId().substring(0, 60) + "\"]", "revokedKeys[0]"},
            {"[\"" + C.keyId() + "\"]", "[\"" + C.keyId() + "\",7]", "revokedKeys[1]"},
            {"[\"" + C.keyId() + "\"]", "\"" + C.keyId() + "\"", "must be an array"}};
        for (String[] d : damaged) {
            assertTrue(good.contains(d[0]));
            TrustException e = assertThrows(TrustException.class,
                    () -> TrustRoot.parse(good.replace(d[0], d[1]).getBytes(StandardCharsets.UTF_8)), d[1]);
            assertTrue(e.getMessage().contains(d[2]), e.getMessage());
        }
    }

    @Test
    @DisplayName("names revocations matching no key of the new root or the previous one, and still accepts the rotation")
    void unmatchedRevocationsAreNamed() throws Exception {
        TrustRoot v1 = Fixtures.trust(2, A, B, C);
        TrustRoot v2 = v1.toBuilder().version(2).removeKey(A.keyId()).revoke(A.keyId()).revoke(D.keyId()).build()
                .signedBy(A, B, C);
        assertEquals(java.util.Set.of(D.keyId()), v2.revocationsMatchingNoKey(v1), "D was never listed");
        assertEquals(v2, v1.acceptRotation(v2, NOW), "a warning, not a refusal");
        TrustRoot v3 = v2.toBuilder().version(3).build().signedBy(B, C);
        assertEquals(java.util.Set.of(), v3.revocationsMatchingNoKey(v2), "revocations carried over from v2");
        assertEquals(java.util.Set.of(), v1.toBuilder().version(2).revoke(C.keyId()).build()
                .revocationsMatchingNoKey(v1));
    }

    @Test
    @DisplayName("refuses a threshold above the number of unrevoked keys")
    void thresholdValidation() {
        assertThrows(IllegalArgumentException.class, () -> Fixtures.trust(3, A, B));
        assertThrows(IllegalArgumentException.class,
                () -> Fixtures.trust(2, A, B).toBuilder().revoke(A.keyId()).build());
    }

    @Test
    @DisplayName("refuses a threshold outside the int range when read, naming the field, instead of truncating it")
    void thresholdOutOfRangeIsNotTruncated() {
        String good = new String(Fixtures.trust(2, A, B).toBytes(), StandardCharsets.UTF_8);
        assertTrue(good.contains("\"threshold\":2"), good);
        // 4294967297 = 2^32 + 1 used to be read as 1: a 2-key root would accept one signature.
        for (String bad : new String[] {"4294967297", "2147483648", "-4294967295", "9223372036854775807"}) {
            TrustException e = assertThrows(TrustException.class, () -> TrustRoot.parse(
                    good.replace("\"threshold\":2", "\"threshold\":" + bad).getBytes(StandardCharsets.UTF_8)), bad);
            assertTrue(e.getMessage().contains("'threshold'") && e.getMessage().contains(bad), e.getMessage());
        }
    }

    @Test
    @DisplayName("accepts a rotation signed by the old threshold and the new one")
    void rotation() throws Exception {
        TrustRoot v1 = Fixtures.trust(2, A, B, C);
        TrustRoot v2 = v1.toBuilder().version(2).removeKey(A.keyId()).revoke(A.keyId()).key(D.publicKey())
                .threshold(2).build();
        TrustRoot signed = v2.signedBy(B, C, D);
        assertEquals(signed, v1.acceptRotation(signed, NOW));
        TrustRoot reread = TrustRoot.parse(signed.toBytes());
        assertEquals(2, reread.version());
        v1.acceptRotation(reread, NOW);
    }

    @Test
    @DisplayName("refuses a rotation missing the old threshold, the new threshold, or a higher version")
    void rotationRefused() throws Exception {
        TrustRoot v1 = Fixtures.trust(2, A, B, C);
        TrustRoot v2 = v1.toBuilder().version(2).key(D.publicKey()).threshold(2).build();
        // new keys only: an attacker holding new keys cannot take over
        assertThrows(TrustException.class, () -> v1.acceptRotation(v2.signedBy(D), NOW));
        // one old key (below the old threshold), even if it signs twice
        TrustRoot once = v2.signedBy(A, D);
        var dup = new java.util.ArrayList<>(once.signatures());
        dup.add(once.signatures().get(0));
        assertThrows(TrustException.class, () -> v1.acceptRotation(TrustRoot.parse(withSigs(once, dup)), NOW));
        // a revoked key does not count toward the old threshold
        TrustRoot v2r = v1.toBuilder().version(2).revoke(A.keyId()).threshold(2).build();
        assertThrows(TrustException.class, () -> v1.acceptRotation(v2r.signedBy(A, B), NOW));
        // same version: replay
        TrustRoot same = v1.toBuilder().build().signedBy(A, B, C);
        assertThrows(TrustException.class, () -> v1.acceptRotation(same, NOW));
        // expired new root
        TrustRoot expired = v1.toBuilder().version(3).createdAt(NOW.minusSeconds(100)).expiresAt(NOW.minusSeconds(1))
                .build().signedBy(A, B, C);
        assertThrows(TrustException.class, () -> v1.acceptRotation(expired, NOW));
    }

    private static byte[] withSigs(TrustRoot t, List<SignatureRecord> sigs) {
        String s = new String(t.toBytes(), StandardCharsets.UTF_8);
        var n = io.edgeloop.ota.json.CanonicalJson.object();
        try {
            var tree = (com.fasterxml.jackson.databind.node.ObjectNode) io.edgeloop.ota.json.CanonicalJson.parse(
                    s.getBytes(StandardCharsets.UTF_8));
            var arr = n.arrayNode();
            sigs.forEach(x -> arr.add(x.toJson()));
            tree.set("signatures", arr);
            return io.edgeloop.ota.json.CanonicalJson.bytes(tree);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }
}

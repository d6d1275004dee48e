package io.edgeloop.ota.trust;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.api.provenance.Sha256;
import io.edgeloop.ota.testing.Fixtures;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.sec.SECNamedCurves;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** One key has one id whatever its encoding, and only P-256 (secp256r1) counts as P-256. */
class KeyIdentityTest {
    static final SigningKey P = Fixtures.key(KeyAlgorithm.P256, 41);
    static final SigningKey Q = Fixtures.key(KeyAlgorithm.P256, 42);

    static byte[] compressed(VerificationKey k) throws Exception {
        SubjectPublicKeyInfo info = SubjectPublicKeyInfo.getInstance(k.encoded());
        byte[] point = SECNamedCurves.getByOID(SECObjectIdentifiers.secp256r1).getCurve()
                .decodePoint(info.getPublicKeyData().getOctets()).getEncoded(true);
        return new SubjectPublicKeyInfo(new AlgorithmIdentifier(X9ObjectIdentifiers.id_ecPublicKey,
                SECObjectIdentifiers.secp256r1), point).getEncoded(ASN1Encoding.DER);
    }

    static String pem(byte[] spki) {
        return "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder().encodeToString(spki)
                + "\n-----END PUBLIC KEY-----\n";
    }

    @Test
    @DisplayName("gives a P-256 key the same id in compressed and uncompressed form, so it counts once")
    void compressedAndUncompressedAreOneKey() throws Exception {
        byte[] c = compressed(P.publicKey());
        assertEquals(33 + 26, c.length, "the test really built a compressed-point SPKI");
        VerificationKey fromCompressed = VerificationKey.fromPem(pem(c), "public-compressed.pem");
        assertEquals(P.keyId(), fromCompressed.keyId());
        assertEquals(P.publicKey(), fromCompressed);
        TrustRoot.Builder b = TrustRoot.builder().createdAt(Fixtures.NOW.minusSeconds(60))
                .expiresAt(Fixtures.NOW.plusSeconds(3600)).key(P.publicKey()).key(fromCompressed).threshold(2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, b::build,
                "two encodings of one key cannot make a 2-of-2 trust file");
        assertTrue(e.getMessage().contains("1 unrevoked keys"), e.getMessage());
    }

    @Test
    @DisplayName("counts one signature listed under an encoding's legacy id and the canonical id only once")
    void oneSignatureUnderTwoIdsIsOneSigner() throws Exception {
        TrustRoot t = Fixtures.trust(2, P, Q);
        byte[] msg = "manifest".getBytes(StandardCharsets.UTF_8);
        SignatureRecord real = P.signRecord(msg);
        String legacyId = Sha256.hex(compressed(P.publicKey()));
        SignatureRecord alias = new SignatureRecord(legacyId, KeyAlgorithm.P256, real.signature());
        ThresholdResult r = t.check(msg, List.of(real, alias));
        assertFalse(r.met(), r.describe());
        assertEquals(1, r.validKeys().size());
    }

    @Test
    @DisplayName("keeps the id of a normally encoded P-256 key: the SHA-256 of its standard uncompressed SPKI")
    void standardEncodingKeepsItsId() throws Exception {
        byte[] jdk = KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(P.publicKey().encoded()))
                .getEncoded();
        assertEquals(Sha256.hex(jdk), P.keyId());
        assertEquals(Sha256.hex(Fixtures.key(KeyAlgorithm.ED25519, 5).publicKey().encoded()),
                Fixtures.key(KeyAlgorithm.ED25519, 5).keyId());
    }

    @Test
    @DisplayName("refuses 256-bit curves other than secp256r1 (secp256k1, brainpoolP256r1) and explicit parameters")
    void refusesOtherCurves() throws Exception {
        for (String curve : List.of("secp256k1", "brainpoolP256r1")) {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC", new BouncyCastleProvider());
            g.initialize(new ECGenParameterSpec(curve));
            byte[] spki = g.generateKeyPair().getPublic().getEncoded();
            GeneralSecurityException e = assertThrows(GeneralSecurityException.class,
                    () -> VerificationKey.of(KeyAlgorithm.P256, spki), curve);
            assertTrue(e.getMessage().contains("secp256r1"), e.getMessage());
            assertThrows(java.io.IOException.class, () -> VerificationKey.fromPem(pem(spki), curve));
        }
        SubjectPublicKeyInfo named = SubjectPublicKeyInfo.getInstance(P.publicKey().encoded());
        byte[] explicit = new SubjectPublicKeyInfo(new AlgorithmIdentifier(X9ObjectIdentifiers.id_ecPublicKey,
                SECNamedCurves.getByOID(SECObjectIdentifiers.secp256r1)), named.getPublicKeyData().getOctets())
                .getEncoded(ASN1Encoding.DER);
        assertThrows(GeneralSecurityException.class, () -> VerificationKey.of(KeyAlgorithm.P256, explicit),
                "explicit curve parameters are refused, even when they describe P-256");
    }
}

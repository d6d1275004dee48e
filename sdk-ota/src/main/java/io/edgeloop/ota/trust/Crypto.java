package io.edgeloop.ota.trust;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.sec.SECNamedCurves;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.math.ec.ECPoint;

/** BouncyCastle access without registering a global provider. Thread-safe. */
final class Crypto {
    static final Provider BC = new BouncyCastleProvider();
    /** id-Ed25519 (RFC 8410); BouncyCastle keeps its constant in an internal package. */
    private static final ASN1ObjectIdentifier ID_ED25519 = new ASN1ObjectIdentifier("1.3.101.112");

    private Crypto() {
    }

    static Signature signature(String alg) throws GeneralSecurityException {
        return Signature.getInstance(alg, BC);
    }

    static PublicKey publicKey(KeyAlgorithm alg, byte[] spki) throws GeneralSecurityException {
        return KeyFactory.getInstance(alg.keyFactory(), BC).generatePublic(new X509EncodedKeySpec(spki));
    }

    static PrivateKey privateKey(KeyAlgorithm alg, byte[] pkcs8) throws GeneralSecurityException {
        return KeyFactory.getInstance(alg.keyFactory(), BC).generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
    }

    /** Works out the algorithm of an encoded key from its ASN.1 algorithm identifier. */
    static KeyAlgorithm algorithmOfPublic(byte[] spki) throws GeneralSecurityException {
        SubjectPublicKeyInfo info = spkiOf(spki);
        ASN1ObjectIdentifier oid = info.getAlgorithm().getAlgorithm();
        if (ID_ED25519.equals(oid)) {
            return KeyAlgorithm.ED25519;
        }
        if (X9ObjectIdentifiers.id_ecPublicKey.equals(oid)) {
            return KeyAlgorithm.P256;
        }
        throw new GeneralSecurityException("not an Ed25519 or ECDSA P-256 public key (algorithm " + oid + ")");
    }

    private static SubjectPublicKeyInfo spkiOf(byte[] spki) throws GeneralSecurityException {
        try {
            return SubjectPublicKeyInfo.getInstance(ASN1Primitive.fromByteArray(spki));
        } catch (java.io.IOException | IllegalArgumentException | ClassCastException e) {
            throw new GeneralSecurityException("not a DER SubjectPublicKeyInfo: " + e.getMessage(), e);
        }
    }

    /**
     * The one encoding of a public key that its key id is computed from: for P-256 the algorithm
     * {@code id-ecPublicKey} with the named curve {@code secp256r1} OID (explicit parameters and every other
     * curve, secp256k1 and brainpoolP256r1 included, are refused) and the uncompressed point, checked to lie on
     * the curve; for Ed25519 the algorithm {@code id-Ed25519} without parameters and the 32 raw bytes.
     */
    static byte[] canonicalPublic(KeyAlgorithm alg, byte[] spki) throws GeneralSecurityException {
        SubjectPublicKeyInfo info = spkiOf(spki);
        ASN1ObjectIdentifier oid = info.getAlgorithm().getAlgorithm();
        byte[] raw = info.getPublicKeyData().getOctets();
        try {
            if (alg == KeyAlgorithm.ED25519) {
                if (!ID_ED25519.equals(oid) || info.getAlgorithm().getParameters() != null) {
                    throw new GeneralSecurityException("not an Ed25519 public key (algorithm " + oid + ")");
                }
                if (raw.length != 32) {
                    throw new GeneralSecurityException("an Ed25519 public key is 32 bytes, got " + raw.length);
                }
                return new SubjectPublicKeyInfo(new AlgorithmIdentifier(ID_ED25519), raw)
                        .getEncoded(ASN1Encoding.DER);
            }
            if (!X9ObjectIdentifiers.id_ecPublicKey.equals(oid)) {
                throw new GeneralSecurityException("not an EC public key (algorithm " + oid + ")");
            }
            ASN1Encodable params = info.getAlgorithm().getParameters();
            if (!(params instanceof ASN1ObjectIdentifier) || !SECObjectIdentifiers.secp256r1.equals(params)) {
                throw new GeneralSecurityException("EC key is not on the named curve P-256 (secp256r1, "
                        + SECObjectIdentifiers.secp256r1 + "); its parameters are "
                        + (params instanceof ASN1ObjectIdentifier ? "curve " + params : "explicit or missing"));
            }
            X9ECParameters p256 = SECNamedCurves.getByOID(SECObjectIdentifiers.secp256r1);
            ECPoint q = p256.getCurve().decodePoint(raw);
            if (!q.isValid() || q.isInfinity()) {
                throw new GeneralSecurityException("EC point is not a valid P-256 public key");
            }
            return new SubjectPublicKeyInfo(new AlgorithmIdentifier(X9ObjectIdentifiers.id_ecPublicKey,
                    SECObjectIdentifiers.secp256r1), q.getEncoded(false)).getEncoded(ASN1Encoding.DER);
        } catch (java.io.IOException | IllegalArgumentException e) {
            throw new GeneralSecurityException("malformed " + alg.id() + " public key: " + e.getMessage(), e);
        }
    }

    static KeyAlgorithm algorithmOfPrivate(byte[] pkcs8) throws GeneralSecurityException {
        for (KeyAlgorithm a : KeyAlgorithm.values()) {
            try {
                privateKey(a, pkcs8);
                return a;
            } catch (GeneralSecurityException | IllegalArgumentException e) {
                // try the next algorithm
            }
        }
        throw new GeneralSecurityException("not an Ed25519 or ECDSA P-256 private key (PKCS#8)");
    }

    /** True when {@code k} is an EC key on secp256r1 (by its canonical encoding), not merely a 256-bit curve. */
    static boolean isP256(PublicKey k) {
        if (!(k instanceof java.security.interfaces.ECPublicKey)) {
            return false;
        }
        try {
            canonicalPublic(KeyAlgorithm.P256, k.getEncoded());
            return true;
        } catch (GeneralSecurityException e) {
            return false;
        }
    }
}

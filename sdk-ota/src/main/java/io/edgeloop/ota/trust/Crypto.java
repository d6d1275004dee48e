package io.edgeloop.ota.trust;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import org.bouncycastle.jce.provider.BouncyCastleProvider;

/** BouncyCastle access without registering a global provider. Thread-safe. */
final class Crypto {
    static final Provider BC = new BouncyCastleProvider();

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
        for (KeyAlgorithm a : KeyAlgorithm.values()) {
            try {
                PublicKey k = publicKey(a, spki);
                if (a != KeyAlgorithm.P256 || isP256(k)) {
                    return a;
                }
            } catch (GeneralSecurityException | IllegalArgumentException e) {
                // try the next algorithm
            }
        }
        throw new GeneralSecurityException("not an Ed25519 or ECDSA P-256 public key");
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

    static boolean isP256(PublicKey k) {
        if (!(k instanceof java.security.interfaces.ECPublicKey)) {
            return false;
        }
        return ((java.security.interfaces.ECPublicKey) k).getParams().getCurve().getField().getFieldSize() == 256;
    }
}

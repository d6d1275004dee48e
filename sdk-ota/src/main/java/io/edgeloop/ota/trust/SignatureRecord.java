package io.edgeloop.ota.trust;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.edgeloop.ota.json.CanonicalJson;
import java.util.Base64;
import java.util.Objects;

/**
 * One signature: who signed (key id), with what algorithm, and the signature bytes.
 *
 * <p>Thread-safe as long as nobody changes the signature array (it is not copied).
 *
 * @param keyId     the signer's key id
 * @param algorithm the algorithm
 * @param signature the signature bytes (not copied; treat as read-only)
 */
public record SignatureRecord(String keyId, KeyAlgorithm algorithm, byte[] signature) {
    /** Largest signature accepted (P-256 DER signatures are at most 72 bytes). */
    public static final int MAX_SIGNATURE_BYTES = 128;

    /**
     * Validates the components.
     *
     * @param keyId     the key id
     * @param algorithm the algorithm
     * @param signature the signature
     */
    public SignatureRecord {
        Objects.requireNonNull(keyId, "keyId");
        Objects.requireNonNull(algorithm, "algorithm");
        Objects.requireNonNull(signature, "signature");
        if (!keyId.matches("[0-9a-f]{64}")) {
            throw new IllegalArgumentException("keyId must be 64 lower-case hex digits, got '" + keyId + "'");
        }
        if (signature.length == 0 || signature.length > MAX_SIGNATURE_BYTES) {
            throw new IllegalArgumentException("signature must be 1.." + MAX_SIGNATURE_BYTES + " bytes");
        }
    }

    /** @return the JSON form {@code {"alg","keyId","sig"}} */
    public ObjectNode toJson() {
        ObjectNode o = CanonicalJson.object();
        o.put("keyId", keyId);
        o.put("alg", algorithm.id());
        o.put("sig", Base64.getEncoder().encodeToString(signature));
        return o;
    }

    /**
     * Reads the JSON form.
     *
     * @param n the node
     * @return the record
     * @throws IllegalArgumentException when malformed
     */
    public static SignatureRecord fromJson(JsonNode n) {
        if (n == null || !n.isObject()) {
            throw new IllegalArgumentException("a signature must be an object");
        }
        JsonNode k = n.get("keyId");
        JsonNode a = n.get("alg");
        JsonNode s = n.get("sig");
        if (k == null || !k.isTextual() || a == null || !a.isTextual() || s == null || !s.isTextual()) {
            throw new IllegalArgumentException("a signature needs string fields keyId, alg and sig");
        }
        return new SignatureRecord(k.textValue(), KeyAlgorithm.of(a.textValue()),
                Base64.getDecoder().decode(s.textValue()));
    }
}

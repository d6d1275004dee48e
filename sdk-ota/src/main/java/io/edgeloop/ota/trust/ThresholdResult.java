package io.edgeloop.ota.trust;

import java.util.List;
import java.util.Set;

/**
 * The outcome of counting signatures against a trust root's threshold: each trusted, unrevoked key counts once
 * however many signatures it made.
 *
 * <p>Thread-safe: immutable (the collections are unmodifiable copies).
 *
 * @param threshold  signatures required
 * @param validKeys  distinct trusted keys with a valid signature
 * @param unknownKeys key ids of signatures by keys the trust root does not list
 * @param revokedKeys key ids of signatures by revoked keys
 * @param invalidKeys key ids of trusted keys whose signature did not verify
 * @param repeated   signatures ignored because their key was already counted
 */
public record ThresholdResult(int threshold, Set<String> validKeys, List<String> unknownKeys,
        List<String> revokedKeys, List<String> invalidKeys, int repeated) {
    /**
     * Copies the collections.
     *
     * @param threshold   the threshold
     * @param validKeys   valid signers
     * @param unknownKeys unknown signers
     * @param revokedKeys revoked signers
     * @param invalidKeys invalid signatures
     * @param repeated    repeats
     */
    public ThresholdResult {
        validKeys = Set.copyOf(validKeys);
        unknownKeys = List.copyOf(unknownKeys);
        revokedKeys = List.copyOf(revokedKeys);
        invalidKeys = List.copyOf(invalidKeys);
    }

    /** @return true when at least {@code threshold} distinct trusted keys signed validly */
    public boolean met() {
        return validKeys.size() >= threshold;
    }

    /** @return a one-line explanation */
    public String describe() {
        StringBuilder sb = new StringBuilder();
        sb.append(validKeys.size()).append(" of ").append(threshold).append(" required signatures valid");
        if (!unknownKeys.isEmpty()) {
            sb.append("; signed by unknown key ").append(short16(unknownKeys));
        }
        if (!revokedKeys.isEmpty()) {
            sb.append("; signed by revoked key ").append(short16(revokedKeys));
        }
        if (!invalidKeys.isEmpty()) {
            sb.append("; invalid signature by ").append(short16(invalidKeys));
        }
        if (repeated > 0) {
            sb.append("; ").append(repeated).append(" repeated signature(s) by an already counted key ignored");
        }
        return sb.toString();
    }

    private static String short16(List<String> ids) {
        StringBuilder sb = new StringBuilder();
        for (String id : ids) {
            if (sb.length() > 0) {
                sb.append(", ");
            }
            sb.append(id, 0, Math.min(16, id.length()));
        }
        return sb.toString();
    }
}

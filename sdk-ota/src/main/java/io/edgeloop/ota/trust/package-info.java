/**
 * Signing keys (Ed25519, ECDSA P-256, PEM/PKCS#8), trust roots with k-of-n thresholds, key rotation, revocation
 * and expiry. Format: {@code docs/formats/trust.md}.
 */
package io.edgeloop.ota.trust;

/**
 * The signed model bundle: manifest, per-variant artifacts with golden vectors, signatures; a writer, a hardened
 * reader and the verifier. Format: {@code docs/formats/bundle.md}.
 */
package io.edgeloop.ota.bundle;

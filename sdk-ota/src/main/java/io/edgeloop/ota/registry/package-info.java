/**
 * The model registry SPI: publish bundles with automatically assigned versions and sequences, query history and
 * lineage, promote / deprecate / yank; published bundles are immutable and digest-checked on read.
 */
package io.edgeloop.ota.registry;

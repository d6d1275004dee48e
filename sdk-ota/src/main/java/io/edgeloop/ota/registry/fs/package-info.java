/**
 * The {@code filesystem} model registry. Not exported: use it through
 * {@link io.edgeloop.api.spi.ProviderLoader} and {@link io.edgeloop.ota.registry.ModelRegistryProvider}.
 */
package io.edgeloop.ota.registry.fs;

/**
 * Contract test kit for the SPIs sdk-ota defines: {@link io.edgeloop.ota.tck.ModelRegistryContractTest} for
 * {@link io.edgeloop.ota.registry.ModelRegistry} implementations, and {@link io.edgeloop.ota.tck.TckLinearRuntimeProvider},
 * the model runtime its bundles are built for. The kits for the SPIs in sdk-api are in sdk-tck.
 */
package io.edgeloop.ota.tck;

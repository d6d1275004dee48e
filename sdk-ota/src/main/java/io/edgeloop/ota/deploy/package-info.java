/**
 * The {@code directory} and {@code http} deployers (providers of {@link io.edgeloop.api.deploy.DeployerProvider}).
 * Not exported: use them through {@link io.edgeloop.api.spi.ProviderLoader}.
 */
package io.edgeloop.ota.deploy;

/**
 * Settings shared by the Edgeloop transports ({@code uri}, {@code compression}, {@code max-batch-bytes}).
 * Not exported: transports are reached through {@link io.edgeloop.api.spi.ProviderLoader} by name.
 */
package io.edgeloop.buffer.transport;

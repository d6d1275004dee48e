/**
 * The {@code kafka} transport and sensor source providers, registered for {@link java.util.ServiceLoader}.
 * Not exported: reach them by name through {@link io.edgeloop.api.spi.ProviderLoader}.
 */
package io.edgeloop.transport.kafka.provider;

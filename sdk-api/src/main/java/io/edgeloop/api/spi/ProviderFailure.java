package io.edgeloop.api.spi;

import java.util.Objects;

/**
 * A provider that was declared but could not be loaded or constructed, and was skipped.
 *
 * @param declaration the provider class name or the service-configuration error text
 * @param cause       the error raised while loading or constructing it
 */
public record ProviderFailure(String declaration, Throwable cause) {
    /**
     * Validates the components.
     *
     * @param declaration the provider class name or the service-configuration error text
     * @param cause       the error
     */
    public ProviderFailure {
        Objects.requireNonNull(declaration, "declaration");
        Objects.requireNonNull(cause, "cause");
    }
}

package io.edgeloop.api.spi;

import java.util.Objects;

/**
 * A provider that was declared but could not be loaded or constructed, and was skipped.
 *
 * <p>Thread-safe to share: the record is immutable; the {@link Throwable} it holds is the loader's own (callers
 * should only read it, not add suppressed exceptions or change its stack trace).
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

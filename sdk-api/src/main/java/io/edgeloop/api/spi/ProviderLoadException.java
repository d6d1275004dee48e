package io.edgeloop.api.spi;

import java.util.List;

/**
 * Selecting a provider failed: none is present, none has the requested name, or two share it.
 *
 * <p>Unchecked: this is a deployment error (a missing or conflicting dependency), fixed by changing the
 * class path, module path or configuration. Immutable and thread-safe.
 */
public final class ProviderLoadException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * What went wrong.
     *
     * <p>Thread-safe: an enum (immutable).
     */
    public enum Reason {
        /** No provider of the SPI was found at all. */
        NONE_FOUND,
        /** Providers exist but none has the requested name. */
        UNKNOWN_NAME,
        /** Two or more providers claim the requested name. */
        DUPLICATE_NAME,
        /** More than one provider is present where exactly one was expected. */
        AMBIGUOUS
    }

    private final Reason reason;
    private final transient List<String> available;

    /**
     * Creates the exception; for loaders built on {@link ProviderLoader} that select among more than providers
     * (such as {@link io.edgeloop.api.target.TargetProfiles}, which also knows built-in profiles).
     *
     * @param reason    why loading failed
     * @param message   the diagnostic, naming the classes or listing the names available
     * @param available the names available or the conflicting class names
     */
    public ProviderLoadException(Reason reason, String message, List<String> available) {
        super(message);
        this.reason = reason;
        this.available = List.copyOf(available);
    }

    /**
     * Returns why loading failed.
     *
     * @return the reason
     */
    public Reason reason() {
        return reason;
    }

    /**
     * Returns the provider names that were available (for {@link Reason#UNKNOWN_NAME}) or the conflicting
     * class names (for {@link Reason#DUPLICATE_NAME}).
     *
     * @return the names, possibly empty
     */
    public List<String> available() {
        return available == null ? List.of() : available;
    }
}

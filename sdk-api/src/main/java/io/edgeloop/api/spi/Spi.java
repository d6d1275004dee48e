package io.edgeloop.api.spi;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a provider interface as an Edgeloop SPI and names the artifacts that implement it, so that
 * {@link ProviderLoader} can tell users which dependency to add when no provider is found.
 *
 * <p>Thread-safe: an annotation; its values are constants read through reflection.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface Spi {
    /**
     * Returns the Maven coordinates (and provider names) of artifacts implementing this SPI, for example
     * {@code "io.edgeloop:sdk-buffer (file-drop, http, mqtt)"}.
     *
     * @return the artifact hint
     */
    String artifacts();
}

package io.edgeloop.quantize.provider;

import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.api.quantize.Quantizer;
import io.edgeloop.api.quantize.QuantizerProvider;

/**
 * Provider {@code int16}: see {@link io.edgeloop.quantize.scheme.Scheme} for the widths.
 *
 * <p>Thread-safe: stateless.
 */
public final class Int16QuantizerProvider implements QuantizerProvider {
    /** Creates the provider; does no work. */
    public Int16QuantizerProvider() {
    }

    @Override
    public String name() {
        return "int16";
    }

    @Override
    public Quantizer create(ComponentConfig config) {
        return new SchemeQuantizer("int16", config);
    }
}

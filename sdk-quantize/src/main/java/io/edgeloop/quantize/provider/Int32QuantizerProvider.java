package io.edgeloop.quantize.provider;

import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.api.quantize.Quantizer;
import io.edgeloop.api.quantize.QuantizerProvider;

/**
 * Provider {@code int32}: see {@link io.edgeloop.quantize.scheme.Scheme} for the widths.
 *
 * <p>Thread-safe: stateless.
 */
public final class Int32QuantizerProvider implements QuantizerProvider {
    /** Creates the provider; does no work. */
    public Int32QuantizerProvider() {
    }

    @Override
    public String name() {
        return "int32";
    }

    @Override
    public Quantizer create(ComponentConfig config) {
        return new SchemeQuantizer("int32", config);
    }
}

package io.edgeloop.quantize.provider;

import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.api.runtime.IntegerModel;
import io.edgeloop.api.runtime.ModelRuntime;
import io.edgeloop.api.runtime.ModelRuntimeProvider;
import io.edgeloop.quantize.runtime.ModelFormat;
import java.io.IOException;
import java.util.Set;

/**
 * Provider {@code edgeloop-int}: loads {@code model.json} bytes (format {@code edgeloop-quantized-model} 1) into
 * the reference integer runtime. It takes no configuration: any key is refused.
 *
 * <p>Thread-safe: stateless.
 */
public final class EdgeloopIntRuntimeProvider implements ModelRuntimeProvider {
    /** The runtime version bundles constrain. */
    public static final String VERSION = "1.0.0";

    /** Creates the provider; does no work. */
    public EdgeloopIntRuntimeProvider() {
    }

    @Override
    public String name() {
        return "edgeloop-int";
    }

    @Override
    public ModelRuntime create(ComponentConfig config) {
        config.requireKnownKeys(name() + " runtime", Set.of());
        return new ModelRuntime() {
            @Override
            public String version() {
                return VERSION;
            }

            @Override
            public IntegerModel load(byte[] artifact) throws IOException {
                if (artifact == null) {
                    throw new IOException("No model artifact bytes");
                }
                return ModelFormat.fromBytes(artifact).model();
            }
        };
    }
}

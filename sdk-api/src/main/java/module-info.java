/**
 * Edgeloop contracts: value types, the SPIs and the one provider loader.
 *
 * <p>Implementations register with {@code provides ... with ...}; this module declares {@code uses} for
 * every SPI it defines, and {@link io.edgeloop.api.spi.ProviderLoader} adds {@code uses} at run time for SPIs
 * defined elsewhere.
 */
module io.edgeloop.api {
    requires org.slf4j;

    exports io.edgeloop.api;
    exports io.edgeloop.api.config;
    exports io.edgeloop.api.deploy;
    exports io.edgeloop.api.label;
    exports io.edgeloop.api.provenance;
    exports io.edgeloop.api.quantize;
    exports io.edgeloop.api.record;
    exports io.edgeloop.api.runtime;
    exports io.edgeloop.api.source;
    exports io.edgeloop.api.spi;
    exports io.edgeloop.api.target;
    exports io.edgeloop.api.transport;
    exports io.edgeloop.api.window;

    uses io.edgeloop.api.source.SensorSourceProvider;
    uses io.edgeloop.api.transport.TransportProvider;
    uses io.edgeloop.api.label.LabellerProvider;
    uses io.edgeloop.api.quantize.QuantizerProvider;
    uses io.edgeloop.api.deploy.DeployerProvider;
    uses io.edgeloop.api.runtime.ModelRuntimeProvider;
    uses io.edgeloop.api.target.TargetProfileProvider;
}

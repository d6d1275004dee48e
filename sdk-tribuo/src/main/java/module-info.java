/**
 * Edgeloop Tribuo support: what the modules that train Tribuo models (sdk-labeling's end models, sdk-quantize's
 * {@code edgeloop train}) share without depending on one another: setting the times Tribuo records in a model's
 * provenance, so that the same data, seed and time give byte-identical model files.
 */
@SuppressWarnings({"requires-automatic", "requires-transitive-automatic"})
module io.edgeloop.tribuo {
    requires transitive org.tribuo.core;
    requires com.oracle.labs.mlrg.olcut;

    exports io.edgeloop.tribuo.provenance;
}

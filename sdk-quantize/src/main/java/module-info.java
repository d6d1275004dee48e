/**
 * Edgeloop quantize: the float model IR and importers, int8/int16/int32 quantization, the reference Java integer
 * runtime, the C99 generator and the parity harness. The quantizers ({@code int8}, {@code int16}, {@code int32})
 * and the {@code edgeloop-int} runtime are registered as providers; their package is not exported.
 */
@SuppressWarnings({"requires-automatic", "requires-transitive-automatic"})
module io.edgeloop.quantize {
    requires transitive io.edgeloop.api;
    requires io.edgeloop.tribuo;
    requires com.fasterxml.jackson.databind;
    requires org.slf4j;
    requires transitive org.tribuo.core;
    requires transitive org.tribuo.classification.core;
    requires org.tribuo.regression.core;
    requires org.tribuo.classification.sgd;
    requires org.tribuo.regression.sgd;
    requires org.tribuo.common.tree;
    requires org.tribuo.common.sgd;
    requires org.tribuo.math;
    requires transitive org.tribuo.util.onnx;
    requires com.google.protobuf;
    requires org.tribuo.classification.dtree;
    requires org.tribuo.regression.rtree;
    requires com.oracle.labs.mlrg.olcut;

    exports io.edgeloop.quantize.ir;
    exports io.edgeloop.quantize.importer;
    exports io.edgeloop.quantize.scheme;
    exports io.edgeloop.quantize.runtime;
    exports io.edgeloop.quantize.codegen;
    exports io.edgeloop.quantize.parity;
    exports io.edgeloop.quantize.train;
    exports io.edgeloop.quantize.workflow;
    exports io.edgeloop.quantize.bench;
    exports io.edgeloop.quantize.qat;

    provides io.edgeloop.api.quantize.QuantizerProvider with
            io.edgeloop.quantize.provider.Int8QuantizerProvider,
            io.edgeloop.quantize.provider.Int16QuantizerProvider,
            io.edgeloop.quantize.provider.Int32QuantizerProvider;
    provides io.edgeloop.api.runtime.ModelRuntimeProvider with
            io.edgeloop.quantize.provider.EdgeloopIntRuntimeProvider;
}

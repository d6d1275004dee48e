package io.edgeloop.quantize.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.api.provenance.Provenance;
import io.edgeloop.api.runtime.IntegerModel;
import io.edgeloop.api.runtime.ModelRuntimeProvider;
import io.edgeloop.api.spi.ProviderLoader;
import io.edgeloop.api.target.TargetProfile;
import io.edgeloop.quantize.TestModels;
import io.edgeloop.quantize.ir.Activation;
import io.edgeloop.quantize.ir.DenseLayer;
import io.edgeloop.quantize.ir.FeatureScaling;
import io.edgeloop.quantize.ir.Head;
import io.edgeloop.quantize.ir.NetworkModel;
import io.edgeloop.quantize.scheme.Calibration;
import io.edgeloop.quantize.scheme.ModelQuantizer;
import io.edgeloop.quantize.scheme.Scheme;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A one-output classifier loaded through the runtime SPI decides its class as {@link IntModel#predictClass}
 * does (the sign of the dequantized output), also when called as a plain {@link IntegerModel}: what a device's
 * shadow gate compares.
 */
class ClassDecisionTest {
    @Test
    @DisplayName("a one-output int8 classifier decides by the dequantized sign through the IntegerModel interface")
    void oneOutputDecidesByDequantizedSign() throws Exception {
        double[][] rows = TestModels.wideRows(3, 400, 5);
        NetworkModel f = new NetworkModel(TestModels.names(3), List.of("no", "yes"), FeatureScaling.identity(3),
                List.of(new DenseLayer(new double[][] {{1.5, -2.0, 0.75}}, new double[] {2.5}, Activation.NONE)),
                Head.LOGISTIC);
        IntModel im = new ModelQuantizer(Scheme.INT8, Calibration.MIN_MAX).quantize(f, rows);
        QuantizedArtifact a = new QuantizedArtifact(im, TargetProfile.AVR8, "min-max",
                Provenance.capture("quantized-model", ClassDecisionTest.class).build());
        IntegerModel loaded = ProviderLoader.of(ModelRuntimeProvider.class).select("edgeloop-int")
                .create(ComponentConfig.empty()).load(ModelFormat.toBytes(a));
        assertEquals(1, loaded.outputSize());
        Random r = new Random(11);
        int ones = 0;
        int agreeWithFloat = 0;
        int n = 2000;
        for (int i = 0; i < n; i++) {
            double[] x = rows[r.nextInt(rows.length)];
            int[] q = im.input().quantize(x);
            int out = loaded.predict(q)[0];
            int expected = im.dequantizeOutput(0, out) > 0 ? 1 : 0;
            assertEquals(expected, loaded.predictClass(q), "input " + i);
            ones += expected;
            agreeWithFloat += f.predictClass(x) == expected ? 1 : 0;
        }
        assertTrue(agreeWithFloat > 0.97 * n, "the integer decision tracks the float model: " + agreeWithFloat);
        assertTrue(ones > 0.1 * n && ones < 0.9 * n, "both classes are decided: " + ones + " of " + n);
    }

    @Test
    @DisplayName("the quantizer refuses a one-class classifier; a one-class model file decides class 0 (the "
            + "two-class sign rule needs two classes) and its C header compiles")
    void oneClassModelsAreRefusedOrConstant() throws Exception {
        double[][] rows = TestModels.wideRows(3, 400, 5);
        NetworkModel one = new NetworkModel(TestModels.names(3), List.of("only"), FeatureScaling.identity(3),
                List.of(new DenseLayer(new double[][] {{1.5, -2.0, 0.75}}, new double[] {2.5}, Activation.NONE)),
                Head.SOFTMAX);
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new ModelQuantizer(Scheme.INT8, Calibration.MIN_MAX).quantize(one, rows));
        assertTrue(e.getMessage().contains("classifier with one class ('only')"), e.getMessage());
        // A one-class model.json (written by an earlier version): edit a two-class file's class list to one class.
        NetworkModel two = new NetworkModel(TestModels.names(3), List.of("no", "yes"), FeatureScaling.identity(3),
                one.layers(), Head.LOGISTIC);
        IntModel im = new ModelQuantizer(Scheme.INT8, Calibration.MIN_MAX).quantize(two, rows);
        QuantizedArtifact a = new QuantizedArtifact(im, TargetProfile.AVR8, "min-max",
                Provenance.capture("quantized-model", ClassDecisionTest.class).build());
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        com.fasterxml.jackson.databind.node.ObjectNode tree =
                (com.fasterxml.jackson.databind.node.ObjectNode) json.readTree(ModelFormat.toBytes(a));
        tree.putArray("classes").add("only");
        IntModel loaded = ModelFormat.fromBytes(json.writeValueAsBytes(tree)).model();
        assertEquals(List.of("only"), loaded.classNames());
        int ones = 0;
        for (double[] x : rows) {
            int[] q = loaded.input().quantize(x);
            // Before: class 1 (of 1) whenever the score was positive.
            assertEquals(0, loaded.predictClass(q));
            ones += im.predictClass(q);
        }
        assertTrue(ones > 0, "the two-class model does decide class 1 on some of these rows");
        String header = new io.edgeloop.quantize.codegen.CCodeGenerator().generate(loaded, TargetProfile.JVM)
                .header();
        assertTrue(!header.contains("logit of class 1"), header);
        // A one-class tree model: the header used to cast every one-output classifier to a network.
        IntTreeEnsemble t = new IntTreeEnsemble("int8", TestModels.names(3), List.of("only"), im.input(),
                new int[] {0}, new int[] {-1}, new long[] {0}, new double[] {0}, new int[] {-1}, new int[] {-1},
                new int[] {0}, 1);
        assertTrue(new io.edgeloop.quantize.codegen.CCodeGenerator().generate(t, TargetProfile.JVM).header()
                .contains("0: only"));
    }
}

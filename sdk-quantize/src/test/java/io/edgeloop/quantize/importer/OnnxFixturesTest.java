package io.edgeloop.quantize.importer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.quantize.ir.FloatModel;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Models written by the onnx Python package ({@code gen_fixtures.py} beside the files in the test resources) that
 * the importer used to accept while importing something else, or refused for the wrong reason.
 */
class OnnxFixturesTest {
    @TempDir
    Path dir;

    private Path fixture(String name) throws IOException {
        for (String f : List.of(name, "external.data")) {
            try (InputStream in = OnnxFixturesTest.class.getResourceAsStream(f)) {
                if (in != null) {
                    Files.copy(in, dir.resolve(f), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        assertTrue(Files.exists(dir.resolve(name)), name);
        return dir.resolve(name);
    }

    @Test
    @DisplayName("the controls (an MLP and a tree stump written by onnx) import")
    void importsTheControls() throws IOException {
        FloatModel mlp = ModelReader.read(fixture("mlp.onnx"));
        assertEquals(List.of("f0", "f1", "f2", "f3"), mlp.featureNames());
        FloatModel stump = ModelReader.read(fixture("stump.onnx"));
        assertEquals(List.of("0", "1"), stump.classNames());
        assertEquals(1, stump.predictClass(new double[] {0, 0.75}));
    }

    @ParameterizedTest(name = "{0}")
    @DisplayName("refuses, in one line naming the cause, what it used to import as another model or refuse for the wrong reason")
    @CsvSource(delimiter = '|', value = {
        // Before: both inputs named 'a' read the first CSV column 'a' (73 % instead of 100 %), exit 0.
        "dupfeat.onnx|metadata 'edgeloop.features': name 'a' occurs twice, at positions 0 and 1",
        "emptyfeat.onnx|metadata 'edgeloop.features': name at position 1 is empty",
        "dupclass.onnx|metadata 'edgeloop.classes': name 'no' occurs twice, at positions 0 and 2",
        "duplabels.onnx|classlabels_strings: class 'a' occurs twice, at positions 0 and 1",
        // Before: imported as a 4-class model ["0","1","a","b"] whose leaves voted for two classes.
        "bothlabels.onnx|TreeEnsembleClassifier sets both classlabels_int64s [0, 1] and classlabels_strings [a, b]",
        // Before: "class_ids holds 1; the model has 1 classes".
        "nolabels.onnx|TreeEnsembleClassifier has neither classlabels_int64s nor classlabels_strings",
        // Before: the NaN routing was dropped silently.
        "missingtracks.onnx|node 0 of tree 0 sets nodes_missing_value_tracks_true",
        // Before: a com.example Relu was imported as ONNX Relu.
        "domain.onnx|Relu node is in domain 'com.example'; Relu is supported only as the ONNX operator",
        "opset99.onnx|the model imports ai.onnx opset 99; this importer reads ai.onnx opsets 7 to 23",
        "ml5.onnx|the model imports ai.onnx.ml opset 5; this importer reads ai.onnx.ml opsets 1 to 4",
        // Before: imported as a 4-feature model though the graph input declares 6 (onnxruntime rejects it).
        "wide.onnx|the graph input is declared with 6 features but the first layer takes 4",
        // Before: "tensor 'W' holds 0 values for 4x3".
        "external.onnx|tensor 'W' is stored outside the model, in 'external.data'; external data is not supported",
        // Before: "tree node attributes have different lengths".
        "astensor.onnx|attribute nodes_values_as_tensor (ai.onnx.ml 3, double precision) is not supported",
        // Before: "node mode BRANCH_EQ is not supported", naming neither tree nor node.
        "eqmode.onnx|node 0 of tree 0 has mode BRANCH_EQ, which is not supported",
    })
    void refuses(String file, String expected) throws IOException {
        Path f = fixture(file);
        IOException e = assertThrows(IOException.class, () -> ModelReader.read(f));
        assertTrue(e.getMessage().startsWith("Cannot import ONNX model " + f + ": "), e.getMessage());
        assertTrue(e.getMessage().contains(expected), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
    }
}

package io.edgeloop.quantize.workflow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.quantize.runtime.IntNetwork;
import io.edgeloop.quantize.runtime.QuantizedArtifact;
import io.edgeloop.quantize.train.CsvData;
import io.edgeloop.quantize.train.TribuoTraining;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Options and inputs of {@code quantize} and {@code quantize eval} that must fail loudly instead of guessing. */
class QuantizeOptionsTest {
    @TempDir
    Path dir;
    private Path csv;
    private Path model;

    @BeforeEach
    void train() throws IOException {
        Random r = new Random(2);
        StringBuilder b = new StringBuilder("a,b,label\n");
        for (int i = 0; i < 400; i++) {
            double x = r.nextGaussian();
            double y = r.nextGaussian();
            b.append(String.format(Locale.ROOT, "%.5f,%.5f,%s%n", x, y, x + 0.5 * y > 0 ? "yes" : "no"));
        }
        csv = dir.resolve("d.csv");
        Files.writeString(csv, b);
        model = dir.resolve("m.model");
        TribuoTraining.train(CsvData.read(csv, "label", Set.of()), "logistic", 1).serializeToFile(model);
    }

    @Test
    @DisplayName("SOURCE_DATE_EPOCH: unset or blank means now, seconds give that instant, anything else is refused")
    void sourceDateEpochIsParsedStrictly() {
        assertEquals(null, QuantizeWorkflow.sourceDateEpoch(null));
        assertEquals(null, QuantizeWorkflow.sourceDateEpoch(" "));
        assertEquals(java.time.Instant.parse("2020-01-02T03:04:05Z"), QuantizeWorkflow.sourceDateEpoch("1577934245"));
        for (String bad : new String[] {"-1", "1.5", "yesterday", "99999999999999999999"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> QuantizeWorkflow.sourceDateEpoch(bad));
            assertTrue(e.getMessage().contains("SOURCE_DATE_EPOCH") && e.getMessage().contains(bad), e.getMessage());
        }
    }

    @Test
    @DisplayName("eval refuses labels that are not classes of the model, listing them")
    void evalRefusesUnknownLabels() throws IOException {
        Path q = dir.resolve("q");
        QuantizeWorkflow.quantize(model, csv, "int8", "cortex-m3", "min-max", null, q);
        Path other = dir.resolve("other.csv");
        Files.writeString(other, "a,b,label\n1,1,yes\n-1,-1,no\n0.5,0.1,maybe\n2,0,YES\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> QuantizeWorkflow.eval(q, other, "label"));
        assertTrue(e.getMessage().contains("[YES, maybe]") && e.getMessage().contains("not classes of the model"),
                e.getMessage());
        assertEquals(400, QuantizeWorkflow.eval(q, csv, "label").get("rows"));
    }

    @Test
    @DisplayName("--weights takes int8 or int16 and only with the int16 scheme")
    void weightsTakeOnlyInt8OrInt16WithTheInt16Scheme() throws IOException {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> QuantizeWorkflow.quantize(model, csv, "int16", "cortex-m3", "min-max", "int4", dir.resolve("a")));
        assertTrue(e.getMessage().contains("Unknown weight width 'int4'; use int8 or int16"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> QuantizeWorkflow.quantize(model, csv, "int8", "cortex-m3", "min-max", "int16", dir.resolve("b")));
        assertTrue(e.getMessage().contains("applies only to the int16 scheme"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> QuantizeWorkflow.quantizeWithQat(model, csv, "label", 1,
                0.01, "int32", "cortex-m3", "min-max", "int8", dir.resolve("c")));
        assertTrue(e.getMessage().contains("applies only to the int16 scheme"), e.getMessage());
        QuantizedArtifact w8 = QuantizeWorkflow.quantize(model, csv, "int16", "cortex-m3", "min-max", "int8",
                dir.resolve("d"));
        assertEquals(8, ((IntNetwork) w8.model()).layers().get(0).weightBits());
        QuantizedArtifact w16 = QuantizeWorkflow.quantize(model, csv, "int16", "cortex-m3", "min-max", null,
                dir.resolve("e"));
        assertEquals(16, ((IntNetwork) w16.model()).layers().get(0).weightBits());
    }

    @Test
    @DisplayName("--weights with a tree model is refused (trees have no weights), and parity --vectors is bounded")
    void weightsWithTreesAndParityVectorsAreRefused() throws IOException {
        Path cart = dir.resolve("cart.model");
        TribuoTraining.train(CsvData.read(csv, "label", Set.of()), "cart", 1).serializeToFile(cart);
        // Before: silently ignored.
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> QuantizeWorkflow.quantize(cart, csv, "int16", "cortex-m3", "min-max", "int8", dir.resolve("t")));
        assertTrue(e.getMessage().contains("--weights int8 sets a network's weight width")
                && e.getMessage().contains("tree ensemble"), e.getMessage());
        Path q = dir.resolve("q");
        QuantizeWorkflow.quantize(cart, csv, "int8", "cortex-m3", "min-max", null, q);
        for (int bad : new int[] {0, -5, QuantizeWorkflow.MAX_PARITY_VECTORS + 1, Integer.MAX_VALUE}) {
            // Before: 2147483647 was accepted (and ran until stopped).
            e = assertThrows(IllegalArgumentException.class, () -> QuantizeWorkflow.parity(q, "host", bad, 1));
            assertTrue(e.getMessage().startsWith("--vectors " + bad + " is out of range: give 1 to 10000000"),
                    e.getMessage());
        }
    }
}

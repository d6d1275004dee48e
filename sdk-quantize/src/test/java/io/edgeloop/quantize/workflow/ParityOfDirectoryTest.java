package io.edgeloop.quantize.workflow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.quantize.parity.ParityResult;
import io.edgeloop.quantize.train.CsvData;
import io.edgeloop.quantize.train.TribuoTraining;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code quantize parity --model DIR} checks the C sources the directory ships, not sources regenerated from JSON. */
class ParityOfDirectoryTest {
    @TempDir
    Path dir;

    private Path quantized() throws IOException {
        return quantized("logistic", 0.5);
    }

    /** Label {@code yes} when {@code a + weightB * b > 0.3}. */
    private Path quantized(String algo, double weightB) throws IOException {
        Random r = new Random(2);
        StringBuilder b = new StringBuilder("a,b,label\n");
        for (int i = 0; i < 500; i++) {
            double x = r.nextGaussian();
            double y = r.nextGaussian();
            b.append(String.format(Locale.ROOT, "%.5f,%.5f,%s%n", x, y, x + weightB * y > 0.3 ? "yes" : "no"));
        }
        Path csv = dir.resolve("d.csv");
        Files.writeString(csv, b);
        Path model = dir.resolve("m.model");
        TribuoTraining.train(CsvData.read(csv, "label", Set.of()), algo, 1).serializeToFile(model);
        Path out = dir.resolve("q");
        QuantizeWorkflow.quantize(model, csv, "int8", "cortex-m3", "min-max", null, out);
        return out;
    }

    @Test
    @DisplayName("a model.c edited after quantization fails parity")
    void detectsATamperedModelC() throws Exception {
        Path q = quantized();
        ParityResult clean = QuantizeWorkflow.parity(q, "host", 300, 1);
        assertEquals(0, clean.mismatches(), clean.toString());
        String c = Files.readString(q.resolve("model.c"));
        // Zero every first-layer weight.
        Matcher m = Pattern.compile("(L0_W\\[\\d+\\] EL_ROM = \\{)([^}]*)\\}").matcher(c);
        assertTrue(m.find(), "weight table in model.c");
        String zeros = m.group(2).replaceAll("-?\\d+", "0");
        Files.writeString(q.resolve("model.c"), c.substring(0, m.start(2)) + zeros + c.substring(m.end(2)));
        ParityResult tampered = QuantizeWorkflow.parity(q, "host", 300, 1);
        assertNotEquals(tampered.javaHash(), tampered.deviceHash(), tampered.toString());
        assertTrue(tampered.mismatches() > 0, tampered.toString());
    }

    @Test
    @DisplayName("every tree threshold and its neighbours run on the device: a threshold off by one fails one vector")
    void sweepsEveryTreeThreshold() throws Exception {
        // One informative feature: the root splits a near 0.3 and both subtrees are pure.
        Path q = quantized("cart", 0);
        ParityResult clean = QuantizeWorkflow.parity(q, "host", 1, 1);
        assertEquals(0, clean.mismatches(), clean.toString());
        assertTrue(clean.thresholdVectors() >= 3, clean.toString());
        String c = Files.readString(q.resolve("model.c"));
        Matcher m = Pattern.compile("T_T\\[\\d+\\] EL_ROM = \\{\\s*(-?\\d+)").matcher(c);
        assertTrue(m.find(), "threshold table in model.c");
        long root = Long.parseLong(m.group(1));
        Files.writeString(q.resolve("model.c"), c.substring(0, m.start(1)) + (root + 1) + c.substring(m.end(1)));
        // One random/edge vector only: the sweep alone must catch the shifted split.
        ParityResult tampered = QuantizeWorkflow.parity(q, "host", 1, 1);
        assertNotEquals(tampered.javaHash(), tampered.deviceHash(), tampered.toString());
        assertTrue(tampered.mismatchSummary().contains("at least 1 mismatch (sampled vectors that differ"),
                tampered.mismatchSummary());
    }

    @Test
    @DisplayName("a directory without its C sources is refused with a clear message")
    void refusesADirectoryWithoutItsCSources() throws Exception {
        Path q = quantized();
        Files.delete(q.resolve("model.c"));
        IOException e = assertThrows(IOException.class, () -> QuantizeWorkflow.parity(q, "host", 10, 1));
        assertTrue(e.getMessage().contains("has no model.c"), e.getMessage());
    }
}

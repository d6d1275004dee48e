package io.edgeloop.cli.quantize;

import static io.edgeloop.cli.InProcessCli.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.edgeloop.cli.InProcessCli.Result;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code quantize parity --target avr8} of a model that fits the ATmega328P on its own but not beside the parity
 * driver: it runs on simavr's ATmega2560, says so, and reports the ATmega328P sizes of {@code model.c}.
 */
class QuantizeParityLargeImageTest {
    @TempDir
    Path work;

    /** 4,000 rows of 8 features spanning 15 orders of magnitude, 3 classes from a noisy linear score. */
    private Path data() throws IOException {
        Random r = new Random(5);
        int n = 8;
        double[] w = new double[n];
        for (int i = 0; i < n; i++) {
            w[i] = r.nextGaussian();
        }
        StringBuilder b = new StringBuilder("f0,f1,f2,f3,f4,f5,f6,f7,label\n");
        for (int k = 0; k < 4000; k++) {
            double s = 0;
            for (int i = 0; i < n; i++) {
                double z = r.nextGaussian();
                s += w[i] * z;
                b.append(z * Math.pow(10, -6 + 15.0 * i / (n - 1))).append(',');
            }
            b.append(Math.min(2, Math.max(0, (int) ((s / Math.sqrt(n) + 2) * 3 / 4)))).append('\n');
        }
        Path f = work.resolve("mag.csv");
        Files.writeString(f, b);
        return f;
    }

    @Test
    @DisplayName("a forest near the ATmega328P's 32 KiB runs its avr8 parity on the ATmega2560 and says so in JSON and text")
    void runsOnTheAtmega2560WhenTheTestImageDoesNotFit() throws IOException {
        Path csv = data();
        Path model = work.resolve("mag.model");
        Result t = run("train", "--csv", csv.toString(), "--label", "label", "--algo", "forest", "--out", model.toString());
        assertEquals(0, t.code(), t.err());
        Path q = work.resolve("q");
        Result qr = run("quantize", "--model", model.toString(), "--calib", csv.toString(), "--scheme", "int8",
                "--target", "avr8", "--out", q.toString());
        assertEquals(0, qr.code(), qr.err());
        ObjectMapper json = new ObjectMapper();
        JsonNode report = json.readTree(q.resolve("report.json").toFile());
        long flash = report.get("flashBytes").asLong();
        assertTrue(report.get("fits").asBoolean() && flash > 28_000, "the premise: model.c alone fits, near 32 KiB: " + report);
        Result p = run("quantize", "parity", "--model", q.toString(), "--target", "avr8", "--vectors", "200", "--json");
        assertEquals(0, p.code(), p.err());
        JsonNode pr = json.readTree(p.out());
        assertEquals(0, pr.get("mismatches").asInt(), p.out());
        assertEquals(pr.get("javaHash").asText(), pr.get("deviceHash").asText(), p.out());
        assertEquals("atmega2560", pr.get("simulatedMcu").asText(), p.out());
        assertTrue(pr.get("simulatedNote").asText().contains("does not fit the ATmega328P"), p.out());
        assertEquals(flash, pr.get("flashBytes").asLong(), "sizes stay those of model.c for the ATmega328P");
        // cyclesPerInference is counted on the ATmega328P (a timing image), the ATmega2560's count is apart.
        assertEquals("atmega328p", pr.get("cyclesMcu").asText(), p.out());
        assertTrue(pr.get("cyclesPerInference").asLong() > 0, p.out());
        assertTrue(pr.get("simulatedMcuCyclesPerInference").asLong() > 0, p.out());
        Result text = run("quantize", "parity", "--model", q.toString(), "--target", "avr8", "--vectors", "50");
        assertEquals(0, text.code(), text.err());
        assertTrue(text.out().contains("simulated on the atmega2560"), text.out());
        assertTrue(text.out().contains("cycles/inference on the atmega328p (a timing image)")
                && text.out().contains("cycles/inference there, not the ATmega328P's"), text.out());
    }
}

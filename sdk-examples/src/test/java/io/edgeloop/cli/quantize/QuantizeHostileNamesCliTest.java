package io.edgeloop.cli.quantize;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.edgeloop.cli.InProcessCli;
import io.edgeloop.cli.InProcessCli.Result;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Names from a CSV header or an ONNX file's metadata end up in {@code model.h} comments escaped: a feature named
 * {@code flow/*m3h} no longer breaks the avr8 build, and a class name that splices the comment shut no longer
 * injects {@code #define INT32_C} into the model (review rev-s4-codegen item 1).
 */
class QuantizeHostileNamesCliTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    @TempDir
    Path work;

    private Path resource(String name) throws IOException {
        Path p = work.resolve(name);
        try (InputStream in = getClass().getResourceAsStream(name)) {
            Files.copy(in, p);
        }
        return p;
    }

    @Test
    @DisplayName("a CSV feature named flow/*m3h (and one with ??/) trains, quantizes for avr8 (-Werror) and is bit-exact")
    void csvFeatureName() throws IOException {
        Path src = QuantizeCliTest.datasets().resolve("occupancy-detection-uci/datatraining.txt");
        List<String> lines = Files.readAllLines(src, StandardCharsets.UTF_8);
        lines.set(0, lines.get(0).replace("\"CO2\"", "\"flow/*m3h\"").replace("\"Light\"", "\"lux??/\""));
        Path csv = work.resolve("cmt.csv");
        Files.write(csv, lines, StandardCharsets.UTF_8);
        Path model = work.resolve("cmt.model");
        Result t = InProcessCli.run("train", "--csv", csv.toString(), "--label", "Occupancy", "--drop", "date",
                "--algo", "cart", "--out", model.toString());
        assertEquals(0, t.code(), t.err());
        Path dir = work.resolve("q-cmt");
        Result q = InProcessCli.run("quantize", "--model", model.toString(), "--calib", csv.toString(), "--scheme",
                "int8", "--target", "avr8", "--out", dir.toString());
        assertEquals(0, q.code(), q.err());
        String h = Files.readString(dir.resolve("model.h"));
        assertTrue(h.contains("flow\\x2F\\x2Am3h"), h);
        assertTrue(h.contains("lux\\x3F\\x3F\\x2F"), h);
        assertFalse(h.contains("flow/*") || h.contains("??/"), h);
        Result p = InProcessCli.run("quantize", "parity", "--model", dir.toString(), "--target", "host", "--vectors",
                "2000", "--json");
        assertEquals(0, p.code(), p.err());
        assertEquals(0, JSON.readTree(p.out()).get("mismatches").asInt(), p.out());
    }

    @Test
    @DisplayName("the reviewer's inject3.onnx: model.h defines nothing extra and parity on the host is 0 mismatches")
    void onnxClassNameInjection() throws IOException {
        Path onnx = resource("inject3.onnx");
        Path calib = resource("inj3.csv");
        Path dir = work.resolve("q-inj3");
        Result q = InProcessCli.run("quantize", "--model", onnx.toString(), "--calib", calib.toString(), "--scheme",
                "int8", "--target", "cortex-m3", "--out", dir.toString());
        assertEquals(0, q.code(), q.err());
        String h = Files.readString(dir.resolve("model.h"));
        for (String l : h.split("\n")) {
            assertFalse(l.startsWith("#undef") || l.startsWith("#define INT32_C"), "injected line: " + l);
        }
        assertTrue(h.contains("c1 \\x2A\\x5C\\x0A\\x2F\\x0A\\x23undef INT32_C"), h);
        Result p = InProcessCli.run("quantize", "parity", "--model", dir.toString(), "--target", "host", "--vectors",
                "2000", "--json");
        assertEquals(0, p.code(), p.err());
        JsonNode pr = JSON.readTree(p.out());
        assertEquals(0, pr.get("mismatches").asInt(), p.out());
    }
}

package io.edgeloop.quantize.workflow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.quantize.Datasets;
import io.edgeloop.quantize.importer.ModelReader;
import io.edgeloop.quantize.ir.FloatModel;
import io.edgeloop.quantize.scheme.Calibration;
import io.edgeloop.quantize.scheme.ModelQuantizer;
import io.edgeloop.quantize.scheme.Scheme;
import io.edgeloop.quantize.train.CsvData;
import io.edgeloop.quantize.train.TribuoTraining;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One sensor glitch in the calibration data (review s7 loop item 1): a single Light reading of 1e300 in the 8,143
 * UCI occupancy training rows stretched every range method's range until every real reading quantized to one step
 * (95.8 % to 79.0 %), and quantize succeeded.
 */
class CalibrationOutlierTest {
    @TempDir
    static Path dir;
    private static Path model;
    private static Path training;
    private static FloatModel floatModel;

    @BeforeAll
    static void train() throws IOException {
        training = Datasets.root().resolve("occupancy-detection-uci/datatraining.txt");
        model = dir.resolve("occ.model");
        TribuoTraining.train(CsvData.read(training, "Occupancy", Set.of("date")), "logistic", 1).serializeToFile(model);
        floatModel = ModelReader.read(model);
    }

    /** The training file with data row {@code row}'s Light reading replaced by {@code value}. */
    private static Path glitched(int row, String value) throws IOException {
        List<String> lines = Files.readAllLines(training, StandardCharsets.UTF_8);
        String[] f = lines.get(row).split(",", -1);
        f[4] = value; // "row name","date",Temperature,Humidity,Light,...
        lines.set(row, String.join(",", f));
        Path p = dir.resolve("glitch-" + row + "-" + value + ".csv");
        Files.write(p, lines, StandardCharsets.UTF_8);
        return p;
    }

    @Test
    @DisplayName("quantize refuses a calibration file with one reading of 1e300, naming file, line, column and value, "
            + "for every range method")
    void workflowRefusesAReadingThatBreaksTheColumnScale() throws IOException {
        Path csv = glitched(500, "1e300");
        for (String method : new String[] {"auto", "min-max", "percentile", "mse"}) {
            Path out = dir.resolve("q-" + method);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> QuantizeWorkflow.quantize(
                    model, csv, "int8", "avr8", method, null, out), method);
            String m = e.getMessage();
            assertTrue(m.startsWith(csv + " line 501 (data row 500): column 'Light' holds 1.0E300, which breaks "
                    + "calibration"), method + ": " + m);
            assertTrue(m.contains("train refuses such a column too") && !m.contains("\n"), m);
            assertFalse(Files.exists(out), "nothing written for " + method);
        }
    }

    @Test
    @DisplayName("ModelQuantizer refuses such rows too, naming row, feature and value")
    void quantizerRefusesAReadingThatBreaksTheColumnScale() throws IOException {
        double[][] rows = CsvData.readColumns(glitched(500, "1e300"), floatModel.featureNames(), null).rows();
        for (Calibration c : Calibration.values()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new ModelQuantizer(Scheme.INT8, c).quantizeDetailed(floatModel, rows), c.id());
            assertTrue(e.getMessage().startsWith("Calibration row 500 (counting from 1), feature 'Light' holds 1.0E300"),
                    e.getMessage());
        }
    }

    @Test
    @DisplayName("ModelQuantizer names the row and feature of a NaN or infinite reading, and a null or short row, "
            + "for every range method (a NaN used to be blamed on another row's value as a standard deviation)")
    void quantizerNamesNonFiniteAndMalformedRows() throws IOException {
        double[][] clean = CsvData.readColumns(training, floatModel.featureNames(), null).rows();
        int light = floatModel.featureNames().indexOf("Light");
        for (double bad : new double[] {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY}) {
            double[][] rows = java.util.Arrays.stream(clean).map(double[]::clone).toArray(double[][]::new);
            rows[3][light] = bad;
            for (Calibration c : Calibration.values()) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> new ModelQuantizer(Scheme.INT8, c).quantizeDetailed(floatModel, rows), c.id());
                assertTrue(e.getMessage().startsWith("Calibration row 4 (counting from 1), feature 'Light' is " + bad
                        + ": calibration needs real readings"), c.id() + ": " + e.getMessage());
            }
        }
        double[][] withNull = java.util.Arrays.copyOf(clean, clean.length);
        withNull[6] = null;
        double[][] shortRow = java.util.Arrays.copyOf(clean, clean.length);
        shortRow[6] = new double[] {1, 2};
        for (Calibration c : Calibration.values()) {
            assertEquals("Calibration row 7 (counting from 1) is null", assertThrows(IllegalArgumentException.class,
                    () -> new ModelQuantizer(Scheme.INT8, c).quantizeDetailed(floatModel, withNull)).getMessage());
            assertEquals("Calibration row 7 (counting from 1) has 2 values; the model takes 5",
                    assertThrows(IllegalArgumentException.class,
                            () -> new ModelQuantizer(Scheme.INT8, c).quantizeDetailed(floatModel, shortRow)).getMessage());
        }
        // the API's request builder copies the rows: a null one is named there
        assertEquals("calibration row 2 (counting from 1) is null", assertThrows(IllegalArgumentException.class,
                () -> io.edgeloop.api.quantize.QuantizationRequest.builder().calibration(new double[][] {{1}, null}))
                .getMessage());
    }

    @Test
    @DisplayName("percentile ranges never end on the single most extreme value: one planted 1e9 is clipped")
    void percentileIgnoresOnePlantedExtreme() throws IOException {
        double[][] clean = CsvData.readColumns(training, floatModel.featureNames(), null).rows();
        int light = floatModel.featureNames().indexOf("Light");
        double[] col = Arrays.stream(clean).mapToDouble(r -> r[light]).toArray();
        double cleanMax = Arrays.stream(col).max().orElseThrow();
        double cleanMin = Arrays.stream(col).min().orElseThrow();
        double[] planted = col.clone();
        planted[499] = 1e9;
        double[] range = Calibration.PERCENTILE.range(planted, 255);
        assertTrue(range[1] <= cleanMax, "upper bound " + range[1] + " stays within the real readings (max "
                + cleanMax + ")");
        assertEquals(cleanMin, range[0], "8,143 values: the lowest one is clipped, the next kept");
        planted[500] = -1e9;
        range = Calibration.PERCENTILE.range(planted, 255);
        assertTrue(range[0] >= cleanMin && range[1] <= cleanMax, Arrays.toString(range));

        // The quantized model: percentile calibration on the glitched rows keeps the clean model's accuracy.
        double[][] rows = CsvData.readColumns(glitched(500, "1e9"), floatModel.featureNames(), null).rows();
        CsvData test = Datasets.occupancyTest("datatest2.txt");
        double cleanAcc = Datasets.accuracy(
                new ModelQuantizer(Scheme.INT8, Calibration.MIN_MAX).quantize(floatModel, clean), test);
        double pct = Datasets.accuracy(
                new ModelQuantizer(Scheme.INT8, Calibration.PERCENTILE).quantize(floatModel, rows), test);
        double minMax = Datasets.accuracy(
                new ModelQuantizer(Scheme.INT8, Calibration.MIN_MAX).quantize(floatModel, rows), test);
        assertTrue(pct >= cleanAcc - 0.5, "percentile on glitched rows " + pct + " vs clean " + cleanAcc);
        assertTrue(minMax < cleanAcc - 5, "min-max keeps the glitch (why percentile exists): " + minMax);
    }

    @Test
    @DisplayName("quantize reports a feature that a 1e9 glitch squeezes (min-max, mse) in report.json and warns; "
            + "percentile and auto report none")
    void reportsSqueezedFeatures() throws IOException {
        Path csv = glitched(500, "1e9");
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        for (String method : new String[] {"min-max", "mse", "percentile", "auto"}) {
            Path out = dir.resolve("check-" + method);
            QuantizeWorkflow.quantize(model, csv, "int8", "avr8", method, null, out);
            com.fasterxml.jackson.databind.JsonNode report = json.readTree(out.resolve("report.json").toFile());
            CalibrationCheck c = CalibrationCheck.fromReport(Files.readAllBytes(out.resolve("report.json"))).orElseThrow();
            assertEquals(8143, c.rows(), method);
            List<String> names = c.squeezed().stream().map(CalibrationCheck.Squeezed::feature).toList();
            if (method.equals("min-max") || method.equals("mse")) {
                assertEquals(List.of("Light"), names, method);
                CalibrationCheck.Squeezed light = c.squeezed().get(0);
                assertEquals(1e9, light.max(), method);
                assertTrue(light.steps() < 1, method + ": " + light);
                assertTrue(c.agreement().orElseThrow() < 90, method + ": " + c.agreement());
                List<String> w = c.warnings(method);
                assertEquals(1, w.size());
                assertTrue(w.get(0).startsWith("warning: feature 'Light': 99.8 % of its 8143 calibration values lie "
                        + "in [0.00000, ") && w.get(0).contains("--calibration percentile or auto"), w.get(0));
            } else {
                assertEquals(List.of(), names, method);
                assertTrue(c.agreement().orElseThrow() > 99, method + ": " + c.agreement());
                assertEquals(List.of(), c.warnings(method));
            }
            // the report's other fields are untouched by the added object: the model digest still matches
            assertEquals(io.edgeloop.api.provenance.Sha256.hex(Files.readAllBytes(out.resolve("model.json"))),
                    report.get("modelSha256").asText());
        }
    }

}

package io.edgeloop.labeling.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.edgeloop.labeling.model.AutoLabelModel;
import io.edgeloop.labeling.model.FitData;
import io.edgeloop.labeling.model.LabelModels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * rev-s8-label item 1: on frame sequences {@code auto}'s default is {@code mv>hmm}, but with a validation split it
 * tested its candidates against plain {@code mv}, so adding a {@code valid.json} made it take a candidate that beat
 * {@code mv} yet lost to {@code mv>hmm} (reviewer's seq4: 87.87 with valid, 95.00 without, {@code mv} 88.73).
 * The sets are generated here as the reviewer's {@code gen2.py} does: a class that persists across frames (it
 * changes with probability 5 % per frame), LFs with coverage 0.1-0.6 and accuracy 0.55-0.9. Before the fix, seeds
 * 16, 18 and 19 gave auto 89.07 (mv>snorkel), 84.47 (snorkel) and 90.47 (mv>prior) with valid.json against
 * mv>hmm's 95.87, 94.87 and 95.93 without it, the last two below mv (85.00, 91.13).
 */
class AutoOnFramesTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    /** Writes a WRENCH frame set (train 5,000, test 1,500, optional valid frames; 4 classes, 10 LFs). */
    private static Path frames(Path d, long seed, int valid, boolean validFrames) throws IOException {
        Files.createDirectories(d);
        Random r = new Random(seed);
        int k = 4;
        int m = 10;
        double[] acc = new double[m];
        double[] cov = new double[m];
        for (int j = 0; j < m; j++) {
            acc[j] = 0.55 + 0.35 * r.nextDouble();
            cov[j] = 0.1 + 0.5 * r.nextDouble();
        }
        write(d.resolve("train.json"), split(r, k, acc, cov, 5000, 0, true));
        // test before valid, so a set with and one without valid.json share train and test
        write(d.resolve("test.json"), split(r, k, acc, cov, 1500, 200_000, true));
        if (valid > 0) {
            write(d.resolve("valid.json"), split(r, k, acc, cov, valid, 100_000, validFrames));
        }
        ObjectNode labels = JSON.createObjectNode();
        for (int c = 0; c < k; c++) {
            labels.put(Integer.toString(c), "c" + c);
        }
        write(d.resolve("label.json"), labels);
        return d;
    }

    private static ObjectNode split(Random r, int k, double[] acc, double[] cov, int n, int offset, boolean frames) {
        ObjectNode rows = JSON.createObjectNode();
        int y = r.nextInt(k);
        for (int i = 0; i < n; i++) {
            if (r.nextDouble() > 0.95) {
                y = r.nextInt(k);
            }
            ObjectNode row = rows.putObject(Integer.toString(offset + i));
            row.put("label", y);
            ArrayNode wl = row.putArray("weak_labels");
            for (int j = 0; j < acc.length; j++) {
                wl.add(r.nextDouble() < cov[j] ? (r.nextDouble() < acc[j] ? y : r.nextInt(k)) : -1);
            }
            ObjectNode data = row.putObject("data");
            if (frames) {
                data.put("frame", i);
            }
        }
        return rows;
    }

    private static void write(Path f, ObjectNode n) throws IOException {
        JSON.writeValue(f.toFile(), n);
    }

    private static double accuracy(WrenchDataset d, String model) {
        return WrenchEvaluation.evaluate(d, model, 0, Map.of()).scores().accuracy();
    }

    @Test
    @DisplayName("with frame validation rows auto tests its candidates against mv>hmm run over them in order")
    void framesValidationTestsAgainstTheFrameDefault() throws IOException {
        for (long seed : new long[] {16, 18, 19}) {
            WrenchDataset withValid = WrenchDataset.read(frames(dir.resolve("v" + seed), seed, 400, true));
            WrenchDataset without = WrenchDataset.read(frames(dir.resolve("n" + seed), seed, 0, true));
            assertTrue(withValid.valid().orElseThrow().ordered());
            FitData fd = WrenchEvaluation.fitData(withValid, 0);
            assertTrue(fd.validIsSequence());
            AutoLabelModel auto = (AutoLabelModel) LabelModels.fit("auto", fd);
            Map<String, String> s = auto.settings();
            assertTrue(s.get("auto.rule").startsWith("mv>hmm (validation rows are frames"), s.get("auto.rule"));
            assertTrue(s.get("auto.valid.mv>snorkel").startsWith("vs mv>hmm: "), s.get("auto.valid.mv>snorkel"));
            double a = accuracy(withValid, "auto");
            double fallback = accuracy(without, "auto");
            assertEquals("mv>hmm", ((AutoLabelModel) WrenchEvaluation.fit(without, "auto", 0)).chosen().name());
            // What validation may change is the default, and only for a candidate that beat it there.
            assertTrue(a >= fallback - 0.5, "seed " + seed + ": auto " + a + " (" + auto.chosen().name()
                    + ") with frame validation, mv>hmm " + fallback + " without; " + s);
            assertTrue(a > accuracy(withValid, "mv"), "seed " + seed + ": auto " + a + " below mv");
        }
    }

    @Test
    @DisplayName("with validation rows that are not frames auto keeps mv>hmm on frame training rows")
    void nonFrameValidationKeepsTheFrameDefault() throws IOException {
        WrenchDataset d = WrenchDataset.read(frames(dir.resolve("nf"), 19, 400, false));
        assertFalse(d.valid().orElseThrow().ordered());
        AutoLabelModel auto = (AutoLabelModel) WrenchEvaluation.fit(d, "auto", 0);
        assertEquals("mv>hmm", auto.chosen().name(), auto.settings().toString());
        assertTrue(auto.settings().get("auto.rule").contains("not a frame sequence"), auto.settings().toString());
        assertFalse(auto.settings().keySet().stream().anyMatch(k -> k.startsWith("auto.valid.")));
    }
}

package io.edgeloop.labeling.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.edgeloop.labeling.TestData;
import io.edgeloop.labeling.model.LabelModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * rev-s6-label item 6: {@code hmm} (and {@code auto}'s {@code mv>hmm}) ran the Markov chain over a test split that is
 * not a frame sequence, so a row's probabilities depended on which unrelated rows were next to it in the file (257 of
 * 746 Tennis rows changed, 7 decisions flipped, between two orders of the same rows).
 */
class HmmUnorderedSplitTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    /** Tennis with test.json's rows shuffled by {@code seed} and their data.frame removed. */
    private WrenchDataset shuffledTestWithoutFrames(long seed) throws IOException {
        Path src = TestData.wrench("tennis");
        Path d = dir.resolve("s" + seed);
        Files.createDirectories(d);
        Files.copy(src.resolve("label.json"), d.resolve("label.json"));
        Files.copy(src.resolve("train.json"), d.resolve("train.json"));
        ObjectNode rows = (ObjectNode) JSON.readTree(src.resolve("test.json").toFile());
        List<String> keys = new ArrayList<>();
        rows.fieldNames().forEachRemaining(keys::add);
        Collections.shuffle(keys, new Random(seed));
        ObjectNode out = JSON.createObjectNode();
        for (String k : keys) {
            ObjectNode row = (ObjectNode) rows.get(k);
            ((ObjectNode) row.get("data")).remove("frame");
            out.set(k, row);
        }
        JSON.writeValue(d.resolve("test.json").toFile(), out);
        return WrenchDataset.read(d);
    }

    private static Map<String, double[]> byId(LabelModel m, WrenchSplit s) {
        double[][] p = WrenchEvaluation.predictProba(m, s);
        Map<String, double[]> out = new HashMap<>();
        for (int i = 0; i < p.length; i++) {
            out.put(s.ids().get(i), p[i]);
        }
        return out;
    }

    @Test
    @DisplayName("on an unordered test split, hmm and auto score every row on its own: two shuffles agree row by row; "
            + "the ordered Tennis figures stay 89.01 / 88.74")
    void unorderedRowsAreScoredAlone() throws IOException {
        WrenchDataset a = shuffledTestWithoutFrames(1);
        WrenchDataset b = shuffledTestWithoutFrames(2);
        assertFalse(a.test().ordered());
        assertTrue(a.train().ordered());
        WrenchDataset tennis = WrenchDataset.read(TestData.wrench("tennis"));
        for (String model : new String[] {"hmm", "auto"}) {
            LabelModel m = WrenchEvaluation.fit(a, model, 0);
            assertTrue(m.isSequenceModel(), model + " is a sequence model on Tennis");
            Map<String, double[]> pa = byId(m, a.test());
            Map<String, double[]> pb = byId(m, b.test());
            int differ = 0;
            for (Map.Entry<String, double[]> e : pa.entrySet()) {
                if (!java.util.Arrays.equals(e.getValue(), pb.get(e.getKey()))) {
                    differ++;
                }
            }
            assertEquals(0, differ, model + ": rows whose probabilities depend on their neighbours");
            if (!model.equals("hmm")) {
                continue;
            }
            // Through the chain on the same unordered rows they did depend on the order (the defect's symptom).
            double[][] chainA = m.predictProba(a.test().matrix());
            double[][] alone = m.predictProbaUnordered(a.test().matrix());
            int changed = 0;
            for (int i = 0; i < chainA.length; i++) {
                changed += java.util.Arrays.equals(chainA[i], alone[i]) ? 0 : 1;
            }
            assertTrue(changed > 100, model + ": the chain moves many shuffled rows: " + changed);
        }
        // A split that is a sequence still goes through the chain: the reference figures do not move.
        assertEquals("89.01", String.format(Locale.ROOT, "%.2f", WrenchEvaluation.evaluate(tennis, "hmm", 0)
                .accuracy()));
        assertEquals("88.74", String.format(Locale.ROOT, "%.2f", WrenchEvaluation.evaluate(tennis, "auto", 0)
                .accuracy()));
        LabelModel hmm = WrenchEvaluation.fit(tennis, "hmm", 0);
        assertArrayEquals(hmm.predict(tennis.test().matrix()), WrenchEvaluation.predict(hmm, tennis.test()));
    }
}

package io.edgeloop.labeling.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.labeling.TestData;
import io.edgeloop.labeling.io.WrenchDataset;
import io.edgeloop.labeling.io.WrenchEvaluation;
import java.io.IOException;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Reproduces the WRENCH reference figures of reference-notes.md section 2 on the real data sets. */
class WrenchReferenceFiguresTest {
    private static Map<String, WrenchDataset> sets;

    @BeforeAll
    static void read() throws IOException {
        sets = Map.of("youtube", WrenchDataset.read(TestData.wrench("youtube")),
                "sms", WrenchDataset.read(TestData.wrench("sms")),
                "tennis", WrenchDataset.read(TestData.wrench("tennis")));
    }

    private static double metric(String set, String model) {
        Scores s = WrenchEvaluation.evaluate(sets.get(set), model, 0);
        return set.equals("sms") ? s.f1Binary() : s.accuracy();
    }

    @Test
    @DisplayName("majority vote reproduces WRENCH exactly: YouTube 84.00, SMS F1 23.97, Tennis 88.47")
    void majorityVoteIsExact() {
        assertEquals(84.00, metric("youtube", "mv"), 0.005);
        assertEquals(23.97, metric("sms", "mv"), 0.005);
        assertEquals(88.47, metric("tennis", "mv"), 0.005);
    }

    @Test
    @DisplayName("prior-weighted vote reproduces WRENCH exactly: YouTube 78.00, SMS F1 23.97")
    void weightedVoteIsExact() {
        assertEquals(78.00, metric("youtube", "wmv"), 0.005);
        assertEquals(23.97, metric("sms", "wmv"), 0.005);
    }

    @Test
    @DisplayName("prior-weighted vote refuses a set without valid.json, naming the reason")
    void weightedVoteNeedsValidation() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> WrenchEvaluation.evaluate(sets.get("tennis"), "wmv", 0));
        assertTrue(e.getMessage().contains("valid.json"), e.getMessage());
    }

    private static String twoDecimals(double v) {
        return String.format(java.util.Locale.ROOT, "%.2f", v);
    }

    @Test
    @DisplayName("Dawid-Skene reproduces WRENCH exactly (to the published 2 decimals): YouTube 83.20, SMS F1 4.94, "
            + "Tennis 89.28")
    void dawidSkeneIsExact() {
        assertEquals("83.20", twoDecimals(metric("youtube", "ds")));
        assertEquals("4.94", twoDecimals(metric("sms", "ds")));
        assertEquals("89.28", twoDecimals(metric("tennis", "ds")));
    }

    @Test
    @DisplayName("auto is never below majority vote on accuracy or binary F1, and above it on Tennis")
    void autoNeverBelowMajorityVote() {
        for (String set : sets.keySet()) {
            Scores auto = WrenchEvaluation.evaluate(sets.get(set), "auto", 0);
            Scores mv = WrenchEvaluation.evaluate(sets.get(set), "mv", 0);
            assertTrue(auto.accuracy() >= mv.accuracy() - 1e-9, set);
            assertTrue(auto.f1Binary() >= mv.f1Binary() - 1e-9, set);
        }
        assertTrue(metric("tennis", "auto") > 88.47);
    }

    @Test
    @DisplayName("every model is deterministic: the same data and seed give identical probabilities")
    void deterministic() {
        for (String model : new String[] {"ds", "snorkel", "auto"}) {
            double[][] a = WrenchEvaluation.fit(sets.get("youtube"), model, 7).predictProba(
                    sets.get("youtube").test().matrix());
            double[][] b = WrenchEvaluation.fit(sets.get("youtube"), model, 7).predictProba(
                    sets.get("youtube").test().matrix());
            assertTrue(java.util.Arrays.deepEquals(a, b), model);
        }
    }
}

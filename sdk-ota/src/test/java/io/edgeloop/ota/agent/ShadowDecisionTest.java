package io.edgeloop.ota.agent;

import static io.edgeloop.ota.agent.AgentTestSupport.open;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.edgeloop.api.target.TargetProfile;
import io.edgeloop.ota.testing.Fixtures;
import io.edgeloop.ota.trust.KeyAlgorithm;
import io.edgeloop.ota.trust.SigningKey;
import io.edgeloop.ota.trust.TrustRoot;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The shadow gate compares the class each model decides, also for one-output (binary, by sign) models. */
class ShadowDecisionTest {
    static final SigningKey K = Fixtures.key(KeyAlgorithm.ED25519, 23);
    static final TrustRoot TRUST = Fixtures.trust(1, K);
    static final TargetProfile M3 = TargetProfile.CORTEX_M3;
    static final int[] W = {7, -3, 5};

    static List<int[]> inputs(int n) {
        Random r = new Random(41);
        List<int[]> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(new int[] {r.nextInt(256) - 128, r.nextInt(256) - 128, r.nextInt(256) - 128});
        }
        return out;
    }

    @Test
    @DisplayName("a one-output candidate deciding the opposite class everywhere agrees on no input")
    void invertedBinaryModelDisagrees() throws Exception {
        DeviceAgent a = open(new MemoryDeviceStorage(), TRUST, M3);
        a.install(Fixtures.draftOneOutput("har", 1, W, 11, M3).sign(K));
        List<int[]> xs = inputs(64);
        // the candidate outputs exactly the negated logit: the opposite decision wherever the logit is not 0
        byte[] inverted = Fixtures.draftOneOutput("har", 2, new int[] {-W[0], -W[1], -W[2]}, -11, M3).sign(K);
        int nonZero = 0;
        for (int[] x : xs) {
            nonZero += a.predict(x)[0] != 0 ? 1 : 0;
        }
        ShadowReport r = a.shadow(inverted, xs);
        assertEquals(64, r.samples());
        assertEquals(64 - nonZero, r.agreeing(), "agreeing only where the logit is exactly 0");
        assertEquals(64, nonZero, "these inputs give no zero logit");
        assertEquals(0.0, r.agreement());
    }

    @Test
    @DisplayName("a one-output candidate with the same decisions agrees everywhere, even with different logits")
    void sameDecisionsAgree() throws Exception {
        DeviceAgent a = open(new MemoryDeviceStorage(), TRUST, M3);
        a.install(Fixtures.draftOneOutput("har", 1, W, 11, M3).sign(K));
        byte[] scaled = Fixtures.draftOneOutput("har", 2, new int[] {2 * W[0], 2 * W[1], 2 * W[2]}, 22, M3).sign(K);
        assertEquals(1.0, a.shadow(scaled, inputs(64)).agreement());
    }

    @Test
    @DisplayName("a one-output candidate that flips the decision on part of the inputs agrees exactly on the rest")
    void partialAgreementIsCounted() throws Exception {
        DeviceAgent a = open(new MemoryDeviceStorage(), TRUST, M3);
        a.install(Fixtures.draftOneOutput("har", 1, W, 11, M3).sign(K));
        int[] w2 = {7, -3, -5}; // differs in the third weight: the decisions differ where the sign flips
        byte[] cand = Fixtures.draftOneOutput("har", 2, w2, 11, M3).sign(K);
        List<int[]> xs = inputs(200);
        int expected = 0;
        for (int[] x : xs) {
            int cur = 11 + W[0] * x[0] + W[1] * x[1] + W[2] * x[2];
            int nxt = 11 + w2[0] * x[0] + w2[1] * x[1] + w2[2] * x[2];
            expected += (cur > 0) == (nxt > 0) ? 1 : 0;
        }
        ShadowReport r = a.shadow(cand, xs);
        assertEquals(expected, r.agreeing());
        org.junit.jupiter.api.Assertions.assertTrue(expected > 0 && expected < 200, "a mixed case: " + expected);
    }
}

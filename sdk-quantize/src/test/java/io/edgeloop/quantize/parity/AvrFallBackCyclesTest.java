package io.edgeloop.quantize.parity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.quantize.TestModels;
import io.edgeloop.quantize.runtime.IntModel;
import io.edgeloop.quantize.scheme.Calibration;
import io.edgeloop.quantize.scheme.ModelQuantizer;
import io.edgeloop.quantize.scheme.Scheme;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * After a fall-back to the ATmega2560, {@code cyclesPerInference} is still the ATmega328P's. The 2560's 3-byte
 * program counter makes calls and returns slower: on the same timing image and vectors, a 6-feature int8 logistic
 * regression (which calls libgcc's multiply helpers) took 1,489.6 cycles per inference on the 328P and 1,565.8 on the
 * 2560, an MLP 35,991.6 and 37,685.3, a 128-feature forest (no helper calls) 6,287.7 and 6,291.7. The harness used to
 * report the 2560's count as {@code cyclesPerInference}.
 */
class AvrFallBackCyclesTest {
    @Test
    @DisplayName("a model run on the ATmega2560 reports the ATmega328P's cycles (as its own 328P run measures them) and "
            + "the 2560's slower count apart")
    void cyclesAreTheAtmega328psAfterAFallBack() throws Exception {
        Assumptions.assumeTrue(ParityHarness.missingTools(ParityTarget.AVR8).isEmpty(), "avr-gcc and simavr are needed");
        double[][] rows = TestModels.wideRows(6, 500, 2);
        IntModel m = new ModelQuantizer(Scheme.INT8, Calibration.MIN_MAX).quantize(TestModels.logistic(6, 3, rows, 2),
                rows);
        ParityResult onSmall = new ParityHarness(300).run(m, ParityTarget.AVR8, 1000, 7);
        assertEquals("atmega328p", onSmall.simulatedMcu(), onSmall.toString());
        ParityResult fellBack = new ParityHarness(300, 0, true).run(m, ParityTarget.AVR8, 1000, 7);
        System.out.println("logistic 6x3 int8: 328P parity image " + onSmall.cyclesPerInference() + ", after the "
                + "fall-back: 328P timing image " + fellBack.cyclesPerInference() + ", 2560 parity image "
                + fellBack.simulatedMcuCyclesPerInference());
        assertEquals("atmega2560", fellBack.simulatedMcu(), fellBack.toString());
        assertEquals(0, fellBack.mismatches(), fellBack.toString());
        assertEquals("atmega328p", fellBack.toMap().get("cyclesMcu"), fellBack.toMap().toString());
        long small = onSmall.cyclesPerInference().getAsLong();
        long reported = fellBack.cyclesPerInference().getAsLong();
        long large = fellBack.simulatedMcuCyclesPerInference().getAsLong();
        assertTrue(large > reported, "the ATmega2560 is slower on calls: " + large + " vs " + reported);
        // The timing image runs random vectors only (no edge table), so it differs a little from the 328P parity
        // image's mean; far less than the 2560's count does.
        assertTrue(Math.abs(reported - small) < Math.abs(large - small), "reported " + reported + ", 328P " + small
                + ", 2560 " + large);
    }
}

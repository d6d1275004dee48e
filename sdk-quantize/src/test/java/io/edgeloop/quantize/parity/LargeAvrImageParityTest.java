package io.edgeloop.quantize.parity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.quantize.TestModels;
import io.edgeloop.quantize.runtime.IntModel;
import io.edgeloop.quantize.scheme.Calibration;
import io.edgeloop.quantize.scheme.ModelQuantizer;
import io.edgeloop.quantize.scheme.Scheme;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A model that fits the ATmega328P on its own, but not together with the parity driver's vector tables and
 * {@code printf}: the harness builds and simulates the test image on the ATmega2560, says so, and still reports
 * the flash and RAM of {@code model.c} built for the ATmega328P.
 */
class LargeAvrImageParityTest {
    @Test
    @DisplayName("a 128-feature forest near the 32 KiB limit runs its parity on simavr's ATmega2560 and says so, "
            + "with ATmega328P sizes")
    void fallsBackToTheAtmega2560() throws Exception {
        Assumptions.assumeTrue(ParityHarness.missingTools(ParityTarget.AVR8).isEmpty(), "avr-gcc and simavr are needed");
        double[][] rows = TestModels.wideRows(128, 2000, 11);
        IntModel m = new ModelQuantizer(Scheme.INT8, Calibration.MIN_MAX)
                .quantize(TestModels.forest(128, rows, 20, 7, false, 3), rows);
        ParityResult r = new ParityHarness(300).run(m, ParityTarget.AVR8, 300, 7);
        Map<String, Object> json = r.toMap();
        System.out.println("128-feature forest near 32 KiB on avr8: " + json);
        assertTrue(r.flashBytes() > 28_000 && r.flashBytes() <= 32_768,
                "model.c alone is near the ATmega328P's 32 KiB and fits: " + r.flashBytes());
        assertEquals("atmega2560", r.simulatedMcu(), r.toString());
        assertEquals("atmega2560", json.get("simulatedMcu"));
        assertTrue(String.valueOf(json.get("simulatedNote")).contains("does not fit the ATmega328P"), json.toString());
        assertTrue(r.cyclesSource().contains("atmega2560"), r.cyclesSource());
        // Cycles are the ATmega328P's, from a timing image that fits it (the model with a driver without printf or
        // tables); the ATmega2560's count (3-byte program counter) is reported apart. They used to be the 2560's
        // under cyclesPerInference.
        assertEquals("atmega328p", json.get("cyclesMcu"), json.toString());
        assertTrue(r.cyclesPerInference().isPresent() && r.cyclesPerInference().getAsLong() > 0, r.toString());
        assertTrue(r.simulatedMcuCyclesPerInference().isPresent(), r.toString());
        assertTrue(r.cyclesSource().startsWith("simavr (cycle-accurate): ATmega328P") && r.cyclesSource()
                .contains("timing image"), r.cyclesSource());
        assertEquals(0, r.mismatches(), r.toString());
        assertEquals(r.javaHash(), r.deviceHash(), r.toString());
        assertEquals(TestVectors.thresholdSweep(m).size(), r.thresholdVectors(), "every split swept");
    }

    @Test
    @DisplayName("a forest larger than 32 KiB (int32 thresholds) still gets 0 mismatches on the ATmega2560: its sweep "
            + "images keep every PROGMEM table below 64 KiB")
    void keepsProgmemBelow64KiB() throws Exception {
        Assumptions.assumeTrue(ParityHarness.missingTools(ParityTarget.AVR8).isEmpty(), "avr-gcc and simavr are needed");
        double[][] rows = TestModels.wideRows(128, 2000, 11);
        IntModel m = new ModelQuantizer(Scheme.INT32, Calibration.MIN_MAX)
                .quantize(TestModels.forest(128, rows, 20, 7, false, 3), rows);
        ParityResult r = new ParityHarness(300).run(m, ParityTarget.AVR8, 300, 7);
        System.out.println("128-feature int32 forest on avr8: " + r.toMap());
        assertTrue(r.flashBytes() > 32_768, "model.c alone is past the ATmega328P's flash: " + r.flashBytes());
        assertEquals("atmega2560", r.simulatedMcu(), r.toString());
        assertEquals(0, r.mismatches(), r.toString());
        assertEquals(r.javaHash(), r.deviceHash(), r.toString());
        assertEquals(TestVectors.thresholdSweep(m).size(), r.thresholdVectors(), "every split swept");
    }

    @Test
    @DisplayName("the ATmega2560 sweep budget leaves the model's tables and 8 KiB for the driver below 64 KiB")
    void sweepBudgetLeavesRoomForTheModel() {
        assertEquals(32768, ParityHarness.largeAvrSweepBudget(10_000));
        assertEquals(65536 - 32950 - 8192, ParityHarness.largeAvrSweepBudget(32950));
        assertEquals(1024, ParityHarness.largeAvrSweepBudget(60_000));
        assertEquals(24576, ParityHarness.largeAvrSweepBudget(-1));
    }
}

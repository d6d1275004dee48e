package io.edgeloop.ota.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class FleetSimulatorTest {
    static SimulationReport run(int n, double f, long seed) {
        return FleetSimulator.builder().devices(n).variants(List.of("avr8", "cortex-m3", "jvm")).failureRate(f)
                .seed(seed).build().run();
    }

    @Test
    @DisplayName("with 2 % injected failures the rollout completes and every device runs a verified model")
    void lowFailureCompletes() {
        SimulationReport r = run(1500, 0.02, 7);
        assertFalse(r.halted(), r.toMap().toString());
        assertEquals(0, r.unverified());
        assertEquals(1500, r.onNewModel() + r.onOldModel());
        int injected = r.injected().values().stream().mapToInt(Integer::intValue).sum();
        assertTrue(injected > 0);
        assertTrue(r.onOldModel() <= injected, "only devices with injected failures stay on the old model");
        assertTrue(r.onNewModel() >= 1500 - injected);
    }

    @Test
    @DisplayName("with 40 % injected failures the rollout halts and no device is left unverified")
    void highFailureHalts() {
        SimulationReport r = run(1500, 0.40, 7);
        assertTrue(r.halted(), r.toMap().toString());
        assertEquals(0, r.unverified());
        assertTrue(r.onOldModel() > r.onNewModel());
    }

    @Test
    @DisplayName("is deterministic for a seed")
    void deterministic() {
        assertEquals(run(300, 0.1, 3).toMap(), run(300, 0.1, 3).toMap());
    }
}

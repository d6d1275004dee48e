package io.edgeloop.ota.rollout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class CampaignTest {
    static final Set<String> ALL = Set.of("avr8", "cortex-m3", "jvm");

    static List<FleetDevice> fleet(int n) {
        List<FleetDevice> f = new ArrayList<>();
        String[] v = {"avr8", "cortex-m3", "jvm"};
        for (int i = 0; i < n; i++) {
            f.add(new FleetDevice("d" + i, v[i % 3]));
        }
        return f;
    }

    /** Scripted executor: devices matching {@code silent} never answer, {@code failing} report failure. */
    static final class Scripted implements WaveExecutor {
        final Predicate<String> silent;
        final Predicate<String> failing;
        final List<List<FleetDevice>> calls = new ArrayList<>();
        double agreement = 1.0;

        Scripted(Predicate<String> silent, Predicate<String> failing) {
            this.silent = silent;
            this.failing = failing;
        }

        @Override
        public Map<String, DeviceResult> update(List<FleetDevice> wave, Duration timeout) {
            calls.add(wave);
            Map<String, DeviceResult> m = new HashMap<>();
            for (FleetDevice d : wave) {
                if (!silent.test(d.id())) {
                    m.put(d.id(), failing.test(d.id()) ? DeviceResult.failed("golden-vectors") : DeviceResult.OK);
                }
            }
            return m;
        }

        @Override
        public Map<String, Double> shadow(List<FleetDevice> devices, Duration timeout) {
            Map<String, Double> m = new HashMap<>();
            devices.forEach(d -> m.put(d.id(), agreement));
            return m;
        }
    }

    @Test
    @DisplayName("plans growing waves whose first contains every hardware variant, covering each device once")
    void stratifiedWaves() {
        Campaign c = new Campaign(RolloutPlan.builder().seed(3).build(), fleet(300), new Scripted(d -> false, d -> false), ALL);
        List<List<FleetDevice>> w = c.waves();
        Set<String> firstVariants = new HashSet<>();
        w.get(0).forEach(d -> firstVariants.add(d.variant()));
        assertEquals(ALL, firstVariants);
        Set<String> seen = new HashSet<>();
        int total = 0;
        for (List<FleetDevice> wave : w) {
            for (FleetDevice d : wave) {
                assertTrue(seen.add(d.id()), "device in two waves");
            }
            total += wave.size();
        }
        assertEquals(300, total);
        assertTrue(w.get(0).size() < w.get(w.size() - 1).size());
        assertEquals(w.get(0), new Campaign(RolloutPlan.builder().seed(3).build(), fleet(300),
                new Scripted(d -> false, d -> false), ALL).waves().get(0), "same seed, same canary");
    }

    @Test
    @DisplayName("completes when every wave succeeds")
    void completes() {
        Scripted s = new Scripted(d -> false, d -> false);
        Campaign c = new Campaign(RolloutPlan.builder().build(), fleet(200), s, ALL);
        assertEquals(CampaignState.COMPLETED, c.run());
        assertEquals(200, c.reports().stream().mapToInt(WaveReport::succeeded).sum());
    }

    @Test
    @DisplayName("counts silent devices as failures and halts the wave that crosses the threshold")
    void silentCountAsFailures() {
        Scripted s = new Scripted(d -> Integer.parseInt(d.substring(1)) % 4 == 0, d -> false);
        Campaign c = new Campaign(RolloutPlan.builder().build(), fleet(400), s, ALL);
        assertEquals(CampaignState.HALTED, c.run());
        WaveReport r = c.reports().get(c.reports().size() - 1);
        assertTrue(r.timedOut() > 0);
        assertTrue(c.haltReason().orElseThrow().contains("failure rate"));
        assertEquals(1, s.calls.size(), "no device beyond the failed wave is touched");
    }

    @Test
    @DisplayName("halts on failure reports above the limit")
    void haltsOnFailures() {
        Scripted s = new Scripted(d -> false, d -> Integer.parseInt(d.substring(1)) % 3 == 0);
        Campaign c = new Campaign(RolloutPlan.builder().build(), fleet(900), s, ALL);
        assertEquals(CampaignState.HALTED, c.run());
    }

    @Test
    @DisplayName("halts before any switch when the canary's shadow agreement is below the gate")
    void shadowGate() {
        Scripted s = new Scripted(d -> false, d -> false);
        s.agreement = 0.5;
        Campaign c = new Campaign(RolloutPlan.builder().minShadowAgreement(0.9).build(), fleet(100), s, ALL);
        assertEquals(CampaignState.HALTED, c.run());
        assertTrue(s.calls.isEmpty());
        assertEquals(0.5, c.shadowAgreement().orElseThrow());
    }

    @Test
    @DisplayName("pauses, resumes and aborts between waves")
    void pauseResumeAbort() {
        Scripted s = new Scripted(d -> false, d -> false);
        Campaign c = new Campaign(RolloutPlan.builder().build(), fleet(300), s, ALL);
        assertTrue(c.step());
        c.pause();
        assertEquals(CampaignState.PAUSED, c.run());
        assertEquals(1, s.calls.size());
        c.resume();
        assertTrue(c.step());
        c.abort();
        assertFalse(c.step());
        assertEquals(CampaignState.ABORTED, c.state());
        assertEquals(2, s.calls.size());
    }

    @Test
    @DisplayName("refuses a bundle without an artifact for a variant in the fleet, and bad plans")
    void validation() {
        assertThrows(IllegalArgumentException.class,
                () -> new Campaign(RolloutPlan.builder().build(), fleet(9), new Scripted(d -> false, d -> false),
                        Set.of("avr8", "jvm")));
        assertThrows(IllegalArgumentException.class, () -> RolloutPlan.builder().waves(List.of(0.5, 0.2, 1.0)).build());
        assertThrows(IllegalArgumentException.class, () -> RolloutPlan.builder().waves(List.of(0.5)).build());
    }
}

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
    static class Scripted implements WaveExecutor {
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
            if (!Double.isNaN(agreement)) { // NaN: no device compared any input
                devices.forEach(d -> m.put(d.id(), agreement));
            }
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
        // Texts number waves from 1, as the CLI and the demo print them: the canary is "wave 1" (index 0).
        assertEquals(0, r.index());
        assertTrue(c.haltReason().orElseThrow().startsWith("wave 1 failure rate"), c.haltReason().orElseThrow());
    }

    @Test
    @DisplayName("halts on failure reports above the limit")
    void haltsOnFailures() {
        Scripted s = new Scripted(d -> false, d -> Integer.parseInt(d.substring(1)) % 3 == 0);
        Campaign c = new Campaign(RolloutPlan.builder().build(), fleet(900), s, ALL);
        assertEquals(CampaignState.HALTED, c.run());
    }

    @Test
    @DisplayName("halts when one variant fails beyond the threshold even though the whole wave stays under it")
    void haltsOnAFailingVariant() {
        // 1000 jvm devices and 40 avr8 devices whose artifact fails everywhere: 40 of 1040 is under 10 %.
        List<FleetDevice> f = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            f.add(new FleetDevice("j" + i, "jvm"));
        }
        for (int i = 0; i < 40; i++) {
            f.add(new FleetDevice("a" + i, "avr8"));
        }
        Scripted s = new Scripted(d -> false, d -> d.startsWith("a"));
        Campaign c = new Campaign(RolloutPlan.builder().seed(1).build(), f, s, Set.of("jvm", "avr8"));
        assertEquals(CampaignState.HALTED, c.run());
        assertEquals(1, s.calls.size(), "halted at the canary");
        WaveReport r = c.reports().get(0);
        assertTrue(r.failureRate() <= 0.1, "the wave as a whole passes: " + r.failureRate());
        VariantOutcome avr = r.outcomesByVariant().get("avr8");
        assertEquals(avr.devices(), avr.failed());
        assertEquals(1.0, avr.failureRate());
        VariantOutcome jvm = r.outcomesByVariant().get("jvm");
        assertEquals(jvm.devices(), jvm.succeeded());
        assertEquals(0, jvm.failed() + jvm.silent());
        assertTrue(c.haltReason().orElseThrow().startsWith("wave 1 variant avr8"), c.haltReason().orElseThrow());
        long avrTouched = s.calls.stream().flatMap(List::stream).filter(d -> d.variant().equals("avr8")).count();
        assertTrue(avrTouched < 40, "avr8 devices beyond the canary untouched, touched " + avrTouched);
    }

    @Test
    @DisplayName("reports succeeded, failed and silent devices per variant in each wave")
    void perVariantCounts() {
        Scripted s = new Scripted(d -> d.equals("d2"), d -> d.equals("d1"));
        Campaign c = new Campaign(RolloutPlan.builder().waves(List.of(1.0)).maxFailureRate(1).minSuccessRate(0)
                .build(), fleet(9), s, ALL);
        assertEquals(CampaignState.COMPLETED, c.run());
        Map<String, VariantOutcome> v = c.reports().get(0).outcomesByVariant();
        assertEquals(new VariantOutcome(3, 3, 0, 0), v.get("avr8"));
        assertEquals(new VariantOutcome(3, 2, 1, 0), v.get("cortex-m3"), "d1 (failing) is cortex-m3");
        assertEquals(new VariantOutcome(3, 2, 0, 1), v.get("jvm"), "d2 (silent) is jvm");
        assertEquals(1 / 3.0, v.get("jvm").failureRate(), 1e-9);
    }

    @Test
    @DisplayName("an abort while a wave runs ends the campaign ABORTED, with the wave recorded")
    void abortDuringAWaveWins() {
        for (boolean failWave : new boolean[] {false, true}) {
            Campaign[] holder = new Campaign[1];
            Scripted s = new Scripted(d -> false, d -> failWave) {
                @Override
                public Map<String, DeviceResult> update(List<FleetDevice> wave, Duration timeout) {
                    Map<String, DeviceResult> m = super.update(wave, timeout);
                    if (calls.size() == holder[0].waves().size() || failWave) {
                        holder[0].abort(); // the operator presses abort while the last (or a failing) wave runs
                    }
                    return m;
                }
            };
            holder[0] = new Campaign(RolloutPlan.builder().build(), fleet(300), s, ALL);
            assertEquals(CampaignState.ABORTED, holder[0].run(), failWave ? "failing wave" : "last wave");
            assertEquals(CampaignState.ABORTED, holder[0].state());
            List<WaveReport> reports = holder[0].reports();
            assertEquals(s.calls.size(), reports.size(), "the wave that ran is recorded");
            assertEquals("aborted", reports.get(reports.size() - 1).decision());
            assertTrue(holder[0].haltReason().isEmpty());
        }
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
    @DisplayName("halts when no canary device compared any input in shadow, saying so (an empty gate never passes)")
    void shadowGateWithoutSamples() {
        Scripted s = new Scripted(d -> false, d -> false);
        s.agreement = Double.NaN;
        Campaign c = new Campaign(RolloutPlan.builder().minShadowAgreement(0.9).build(), fleet(100), s, ALL);
        assertEquals(CampaignState.HALTED, c.run());
        assertTrue(s.calls.isEmpty(), "no device switched");
        assertTrue(c.haltReason().orElseThrow().contains("compared any input"), c.haltReason().toString());
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

    @Test
    @DisplayName("one failure among a variant's few devices in a wave does not halt (rev-s6-ota item 10: 30 devices,"
            + " 1 failure) unless minVariantDevices is 1")
    void smallVariantsAreJudgedOnlyWhenAllFail() {
        java.util.Set<String> failing = new java.util.HashSet<>();
        Scripted s = new Scripted(d -> false, failing::contains);
        Campaign c = new Campaign(RolloutPlan.builder().seed(2).build(), fleet(60), s, ALL);
        // one jvm device of the third wave fails: 1 of its 6 jvm devices (17 %), 1 of 18 in the wave (under 10 %)
        List<FleetDevice> w4 = c.waves().get(2);
        assertEquals(18, w4.size());
        FleetDevice victim = w4.stream().filter(d -> d.variant().equals("jvm")).findFirst().orElseThrow();
        long jvmInWave = w4.stream().filter(d -> d.variant().equals("jvm")).count();
        assertTrue(jvmInWave >= 2 && jvmInWave < 10, "jvm devices in the wave: " + jvmInWave);
        failing.add(victim.id());
        assertEquals(CampaignState.COMPLETED, c.run(), c.haltReason().orElse(""));
        assertTrue(c.completedWithFailures().isEmpty());

        // (a variant whose every device in the wave failed is still judged: haltsOnAFailingVariant, 1 avr8 device)
        // minVariantDevices(1) judges every variant on its own, as before: the single failure halts
        Campaign c3 = new Campaign(RolloutPlan.builder().seed(2).minVariantDevices(1).build(), fleet(60), s, ALL);
        assertEquals(CampaignState.HALTED, c3.run());
        assertThrows(IllegalArgumentException.class, () -> RolloutPlan.builder().minVariantDevices(0).build());
    }

    @Test
    @DisplayName("a breach in the last wave, when every device was reached, completes with failures instead of halting")
    void lastWaveBreachCompletesWithFailures() {
        java.util.Set<String> failing = new java.util.HashSet<>();
        Scripted s = new Scripted(d -> false, failing::contains);
        Campaign c = new Campaign(RolloutPlan.builder().waves(List.of(0.5, 1.0)).seed(4).build(), fleet(60), s, ALL);
        List<FleetDevice> last = c.waves().get(1);
        last.subList(0, 10).forEach(d -> failing.add(d.id())); // 10 of 30: 33 % of the wave
        assertEquals(CampaignState.COMPLETED, c.run());
        assertTrue(c.haltReason().isEmpty());
        String note = c.completedWithFailures().orElseThrow();
        assertTrue(note.startsWith("wave 2 failure rate 0.333"), note);
        assertTrue(c.reports().get(1).decision().startsWith("complete with failures: wave 2"),
                c.reports().get(1).decision());
        assertEquals(2, s.calls.size());
    }
}

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
        /** When set, each device's shadow agreement (overrides {@link #agreement}). */
        java.util.function.ToDoubleFunction<String> agreementOf;

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
                devices.forEach(d -> m.put(d.id(), agreementOf != null ? agreementOf.applyAsDouble(d.id()) : agreement));
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
        // 4000 devices: a canary of 42 (at least minVariantDevices), so its 25 % is compared with the limit directly
        Campaign c = new Campaign(RolloutPlan.builder().build(), fleet(4000), s, ALL);
        assertEquals(CampaignState.HALTED, c.run());
        WaveReport r = c.reports().get(c.reports().size() - 1);
        assertEquals(42, r.devices());
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
        // the canary and the second wave each hold one avr8 device: the first failure alone is no evidence, the
        // second (2 of 2 reached) halts
        assertEquals(2, s.calls.size(), "halted at the second wave");
        WaveReport r = c.reports().get(1);
        assertTrue(r.failureRate() <= 0.1, "the wave as a whole passes: " + r.failureRate());
        VariantOutcome avr = r.outcomesByVariant().get("avr8");
        assertEquals(avr.devices(), avr.failed());
        assertEquals(1.0, avr.failureRate());
        VariantOutcome jvm = r.outcomesByVariant().get("jvm");
        assertEquals(jvm.devices(), jvm.succeeded());
        assertEquals(0, jvm.failed() + jvm.silent());
        assertTrue(c.haltReason().orElseThrow().startsWith("wave 2 variant avr8"), c.haltReason().orElseThrow());
        assertTrue(c.haltReason().orElseThrow().contains("on 2 devices so far (2 failed, 0 silent): every device failed"),
                c.haltReason().orElseThrow());
        long avrTouched = s.calls.stream().flatMap(List::stream).filter(d -> d.variant().equals("avr8")).count();
        assertEquals(2, avrTouched, "avr8 devices beyond the first two untouched");
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
    @DisplayName("resume() on a halted, completed or aborted campaign says why instead of doing nothing")
    void resumeAfterTheEnd() {
        Scripted s = new Scripted(d -> false, d -> false);
        s.agreement = Double.NaN;
        Campaign halted = new Campaign(RolloutPlan.builder().minShadowAgreement(0.9).build(), fleet(100), s, ALL);
        assertEquals(CampaignState.HALTED, halted.run());
        IllegalStateException e = assertThrows(IllegalStateException.class, halted::resume,
                "old code: resume() did nothing and run() kept returning HALTED");
        assertTrue(e.getMessage().startsWith("campaign halted (") && e.getMessage().contains("compared any input")
                && e.getMessage().contains("new campaign"), e.getMessage());
        assertEquals(CampaignState.HALTED, halted.state());

        Campaign done = new Campaign(RolloutPlan.builder().build(), fleet(30), new Scripted(d -> false, d -> false),
                ALL);
        assertEquals(CampaignState.COMPLETED, done.run());
        assertTrue(assertThrows(IllegalStateException.class, done::resume).getMessage().startsWith("campaign completed"));
        Campaign aborted = new Campaign(RolloutPlan.builder().build(), fleet(30), new Scripted(d -> false, d -> false),
                ALL);
        aborted.abort();
        assertTrue(assertThrows(IllegalStateException.class, aborted::resume).getMessage().startsWith("campaign aborted"));

        Campaign planned = new Campaign(RolloutPlan.builder().build(), fleet(30), new Scripted(d -> false, d -> false),
                ALL);
        planned.resume(); // never paused: nothing to do
        assertEquals(CampaignState.PLANNED, planned.state());
        assertEquals(CampaignState.COMPLETED, planned.run());
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

    /** The demo's fleet shape: {@code perVariant} devices of each of the three variants. */
    static List<FleetDevice> even(int perVariant) {
        return fleet(3 * perVariant);
    }

    /** The demo's plan: waves 25/50/100 %, failure limit 34 %, success 66 %. */
    static RolloutPlan.Builder demoPlan(long seed) {
        return RolloutPlan.builder().waves(List.of(0.25, 0.5, 1.0)).maxFailureRate(0.34).minSuccessRate(0.66)
                .seed(seed);
    }

    @Test
    @DisplayName("one failure on a variant's only device in the canary does not halt (rev-s7-docs item 1: the demo)")
    void oneFailureOnASingleDeviceVariantDoesNotHalt() {
        for (String variant : List.of("avr8", "cortex-m3", "jvm")) {
            Set<String> failing = new HashSet<>();
            Scripted s = new Scripted(d -> false, failing::contains);
            Campaign c = new Campaign(demoPlan(1).build(), even(4), s, ALL);
            FleetDevice victim = c.waves().get(0).stream().filter(d -> d.variant().equals(variant)).findFirst()
                    .orElseThrow();
            assertEquals(1, c.waves().get(0).stream().filter(d -> d.variant().equals(variant)).count());
            failing.add(victim.id());
            assertEquals(CampaignState.COMPLETED, c.run(), variant + ": " + c.haltReason().orElse(""));
            assertEquals(11, c.reports().stream().mapToInt(WaveReport::succeeded).sum());
        }
    }

    @Test
    @DisplayName("a variant whose every device of 2 or more in a wave fails still halts, at the demo's 34 % limit too")
    void everyDeviceOfTwoFailingHalts() {
        // 8 avr8 devices: the canary (25 %) holds 2 of them; the artifact fails on every avr8 device
        List<FleetDevice> f = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            f.add(new FleetDevice("a" + i, "avr8"));
            f.add(new FleetDevice("j" + i, "jvm"));
        }
        Scripted s = new Scripted(d -> false, d -> d.startsWith("a"));
        Campaign c = new Campaign(demoPlan(3).build(), f, s, Set.of("avr8", "jvm"));
        assertEquals(CampaignState.HALTED, c.run());
        assertEquals(1, s.calls.size(), "halted at the canary");
        assertEquals(new VariantOutcome(2, 0, 2, 0), c.reports().get(0).outcomesByVariant().get("avr8"));
        assertTrue(c.haltReason().orElseThrow().startsWith("wave 1 variant avr8"), c.haltReason().orElseThrow());
        assertTrue(c.haltReason().orElseThrow().endsWith("every device failed"), c.haltReason().orElseThrow());
        // silent devices count the same
        Scripted quiet = new Scripted(d -> d.startsWith("a"), d -> false);
        assertEquals(CampaignState.HALTED, new Campaign(demoPlan(3).build(), f, quiet, Set.of("avr8", "jvm")).run());
    }

    @Test
    @DisplayName("a variant with one device that fails halts: it is the variant's last wave, nothing more will show")
    void aLoneVariantThatFailsHalts() {
        List<FleetDevice> f = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            f.add(new FleetDevice("j" + i, "jvm"));
        }
        f.add(new FleetDevice("a0", "avr8"));
        Scripted s = new Scripted(d -> false, d -> d.equals("a0"));
        Campaign c = new Campaign(RolloutPlan.builder().seed(5).build(), f, s, Set.of("avr8", "jvm"));
        assertEquals(CampaignState.HALTED, c.run());
        assertEquals(1, s.calls.size());
        assertTrue(c.haltReason().orElseThrow().contains("none is left to try"), c.haltReason().orElseThrow());
        // one device is "1 device" (the OTA walk of 2026-12-03 read "on 1 devices")
        assertTrue(c.haltReason().orElseThrow().contains("variant avr8: failure rate 1.000 (limit 0.100), success rate "
                + "0.000 (needs 0.900) on 1 device ("), c.haltReason().orElseThrow());
    }

    @Test
    @DisplayName("one failure in a small canary does not halt at the default 10 % limit (rev-s7-docs item 3)")
    void oneFailureInASmallCanaryDoesNotHalt() {
        // 500 devices: the 1 % canary holds 2 devices of each variant, 6 in all; one fails (1 of 6 = 17 %)
        Set<String> failing = new HashSet<>();
        Scripted s = new Scripted(d -> false, failing::contains);
        Campaign c = new Campaign(RolloutPlan.builder().seed(1).build(), fleet(500), s, ALL);
        assertEquals(6, c.waves().get(0).size());
        failing.add(c.waves().get(0).get(0).id());
        assertEquals(CampaignState.COMPLETED, c.run(), c.haltReason().orElse(""));
        assertEquals(499, c.reports().stream().mapToInt(WaveReport::succeeded).sum());
        // minVariantDevices(1) compares every rate directly, as before: the one failure halts the canary
        Campaign strict = new Campaign(RolloutPlan.builder().seed(1).minVariantDevices(1).build(), fleet(500), s, ALL);
        assertEquals(CampaignState.HALTED, strict.run());
    }

    @Test
    @DisplayName("a small canary whose failures are evidence halts: 3 of 6 at a 10 % limit (p = 0.016)")
    void evidenceInASmallCanaryHalts() {
        Set<String> failing = new HashSet<>();
        Scripted s = new Scripted(d -> false, failing::contains);
        Campaign c = new Campaign(RolloutPlan.builder().seed(1).build(), fleet(500), s, ALL);
        // one failure per variant: each variant's 1 of 2 is no evidence, the wave's 3 of 6 is
        for (String v : List.of("avr8", "cortex-m3", "jvm")) {
            failing.add(c.waves().get(0).stream().filter(d -> d.variant().equals(v)).findFirst().orElseThrow().id());
        }
        assertEquals(CampaignState.HALTED, c.run());
        assertEquals(1, s.calls.size());
        String reason = c.haltReason().orElseThrow();
        assertTrue(reason.startsWith("wave 1 failure rate 0.500") && reason.contains("p = 0.016"), reason);
    }

    @Test
    @DisplayName("the shadow gate does not halt a small canary for one device that agrees less, but does for all")
    void shadowGateOnASmallCanary() {
        Scripted s = new Scripted(d -> false, d -> false);
        Campaign probe = new Campaign(RolloutPlan.builder().seed(3).minShadowAgreement(0.8).build(), fleet(500), s,
                ALL);
        String low = probe.waves().get(0).get(0).id();
        s.agreementOf = d -> d.equals(low) ? 0.5 : 0.84; // mean 0.783, below 0.8; upper bound 0.897
        Campaign c = new Campaign(RolloutPlan.builder().seed(3).minShadowAgreement(0.8).build(), fleet(500), s, ALL);
        assertEquals(CampaignState.COMPLETED, c.run(), c.haltReason().orElse(""));
        assertEquals(0.7833, c.shadowAgreement().orElseThrow(), 1e-3);
        s.agreementOf = d -> d.equals(low) ? 0.5 : 0.6; // every device low: upper bound 0.665
        Campaign bad = new Campaign(RolloutPlan.builder().seed(3).minShadowAgreement(0.8).build(), fleet(500), s,
                ALL);
        assertEquals(CampaignState.HALTED, bad.run());
        assertTrue(bad.haltReason().orElseThrow().contains("95 % upper bound"), bad.haltReason().orElseThrow());
        // a canary of the minimum sample compares the mean directly
        s.agreementOf = d -> 0.79;
        Campaign big = new Campaign(RolloutPlan.builder().seed(3).minShadowAgreement(0.8).build(), fleet(3000), s,
                ALL);
        assertEquals(30, big.waves().get(0).size());
        assertEquals(CampaignState.HALTED, big.run());
    }

    @Test
    @DisplayName("the binomial tail matches hand-computed values and does not underflow on large groups")
    void binomialTail() {
        assertEquals(1 - Math.pow(0.9, 6), SampleVerdict.tailProbability(0.1, 1, 6), 1e-12);
        assertEquals(0.0158, SampleVerdict.tailProbability(0.1, 3, 6), 1e-4);
        assertEquals(0.01, SampleVerdict.tailProbability(0.1, 2, 2), 1e-12);
        assertEquals(1.0, SampleVerdict.tailProbability(0.1, 0, 6));
        assertEquals(0.0, SampleVerdict.tailProbability(0.0, 1, 6));
        double p = SampleVerdict.tailProbability(0.1, 1100, 10_000);
        assertTrue(p > 0 && p < 1e-3, "1100 of 10000 at 10 %: " + p);
    }
}

package io.edgeloop.ota.rollout;

import io.edgeloop.ota.bundle.ArtifactEntry;
import io.edgeloop.ota.bundle.BundleManifest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A rollout of one bundle over a fleet, in waves. Wave membership is stratified by variant, where a variant is
 * what the device agent selects an artifact by: the target id, or {@code target/hardwareVariant} when the fleet
 * holds several hardware variants of one target (a board with no artifact of its own is then in the canary, and is
 * judged on its own). Each variant's devices are shuffled with the plan's seed and the first {@code ceil(f * n)} of them (at least one) are in the
 * waves up to the one with cumulative fraction {@code f}, so the canary holds every variant. Before the canary
 * switches, its devices run the candidate in shadow when the plan has a shadow gate. After each wave the failure
 * rate (failed + silent) is compared with the thresholds, for the whole wave and for each variant's devices in it:
 * above {@code maxFailureRate}, or below {@code minSuccessRate}, the campaign halts; devices not yet reached stay on
 * their model. A rate is compared directly only on a sample of at least {@link RolloutPlan#minVariantDevices()}
 * devices (the wave's, or the variant's in the wave). A smaller sample halts only on evidence: when every device of
 * at least two failed, when a fleet failing at exactly the limit would show that many failures less than 5 % of the
 * time (a one-sided exact binomial test), or when every device of a variant failed in the variant's last wave (none
 * of it is left to try). So one unlucky device in a canary of one or six devices does not halt a rollout, while a
 * variant whose artifact fails everywhere still halts before it reaches the fleet. The shadow gate likewise compares
 * the canary's mean agreement directly on {@code minVariantDevices} devices (or one); on 2 to
 * {@code minVariantDevices - 1} it halts when the mean's one-sided 95 % upper confidence bound (Student t over the
 * devices' agreements) is below the gate. A breach in the last wave, when every device has already been reached, ends the campaign
 * {@link CampaignState#COMPLETED} with decision {@code complete with failures: ...} and
 * {@link #completedWithFailures()} set: there is nothing left to halt. Checking each variant is what makes the stratified canary useful: a variant whose artifact fails
 * everywhere halts the rollout even when it is too small a share of the fleet to move the wave's rate. An
 * {@link #abort()} while a wave runs wins over the wave's outcome: the wave is recorded (decision
 * {@code aborted}) and the campaign ends {@link CampaignState#ABORTED}.
 *
 * <p>Thread-safe: {@link #pause()}, {@link #resume()}, {@link #abort()} and {@link #state()} may be called from any
 * thread while {@link #run()} runs; waves run on the caller's thread. One wave runs at a time: {@link #run()} or
 * {@link #step()} while another thread is inside a wave throws {@link IllegalStateException}. A pause takes effect
 * after the running wave; a resume before that wave ends cancels the pause, and the running {@code run()} goes on.
 */
public final class Campaign {
    private final Object lock = new Object();
    private final RolloutPlan plan;
    private final WaveExecutor executor;
    private final List<List<FleetDevice>> waves;
    /** Device id to its stratum (see {@link #strata(List)}). */
    private final Map<String, String> stratumOf;
    /** Stratum to the index of the last wave that holds any of its devices. */
    private final Map<String, Integer> lastWaveOf = new HashMap<>();
    /** Stratum to its devices reached so far in the campaign: {devices, succeeded, failed, silent}. */
    private final Map<String, int[]> reached = new HashMap<>();
    private final List<WaveReport> reports = new ArrayList<>();
    private CampaignState state = CampaignState.PLANNED;
    /** A thread is inside {@link #step()} (shadow gate or update); guarded by {@code lock}. */
    private boolean waveInFlight;
    private String haltReason;
    private Double shadowAgreement;
    private String failureNote;
    /** Test seam: runs on the wave's thread after its decision, before the wave is marked over. */
    private volatile Runnable afterWave = () -> { };

    /**
     * @param plan     the plan
     * @param fleet    every device in scope
     * @param executor delivers updates and collects reports
     * @param variantsWithArtifact what the bundle has artifacts for: {@code target/hardwareVariant} pairs (see
     *                 {@link #artifactKeys(BundleManifest)}), or bare target ids (an artifact for every hardware
     *                 variant of that target, for callers that do not know them)
     * @throws IllegalArgumentException when a device's (target, hardware variant) has no artifact in the bundle, or
     *                                  the fleet is empty
     */
    public Campaign(RolloutPlan plan, List<FleetDevice> fleet, WaveExecutor executor, Set<String> variantsWithArtifact) {
        this.plan = Objects.requireNonNull(plan, "plan");
        this.executor = Objects.requireNonNull(executor, "executor");
        if (fleet.isEmpty()) {
            throw new IllegalArgumentException("a campaign needs at least one device");
        }
        Set<String> missing = new TreeSet<>();
        for (FleetDevice d : fleet) {
            if (!hasArtifact(d, variantsWithArtifact)) {
                missing.add(d.targetAndHardware());
            }
        }
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException("the bundle has no artifact for variant(s) " + missing
                    + " present in the fleet (it has " + new TreeSet<>(variantsWithArtifact) + ")");
        }
        this.stratumOf = strata(fleet);
        Map<String, List<FleetDevice>> byStratum = new TreeMap<>();
        for (FleetDevice d : fleet) {
            byStratum.computeIfAbsent(stratumOf.get(d.id()), k -> new ArrayList<>()).add(d);
        }
        this.waves = plan(plan, byStratum);
        for (int i = 0; i < waves.size(); i++) {
            for (FleetDevice d : waves.get(i)) {
                lastWaveOf.put(stratumOf.get(d.id()), i);
            }
        }
    }

    /**
     * @param manifest a bundle's manifest
     * @return its artifacts' {@code target/hardwareVariant} pairs, as the {@code variantsWithArtifact} argument
     */
    public static Set<String> artifactKeys(BundleManifest manifest) {
        Set<String> keys = new TreeSet<>();
        for (ArtifactEntry a : manifest.artifacts()) {
            keys.add(a.target() + "/" + a.hardwareVariant());
        }
        return keys;
    }

    private static boolean hasArtifact(FleetDevice d, Set<String> keys) {
        if (keys.contains(d.variant())) {
            return true; // a bare target id: every hardware variant of it
        }
        if (d.hardwareVariant().isEmpty()) {
            return keys.stream().anyMatch(k -> k.startsWith(d.variant() + "/"));
        }
        return keys.contains(d.variant() + "/" + d.hardwareVariant());
    }

    /**
     * Each device's stratum: its target id when the fleet has one hardware variant of that target (the usual
     * case, and the names reports have always used), else {@code target/hardwareVariant}, so two boards of one
     * target are stratified and judged apart.
     */
    private static Map<String, String> strata(List<FleetDevice> fleet) {
        Map<String, Set<String>> hwByTarget = new HashMap<>();
        for (FleetDevice d : fleet) {
            hwByTarget.computeIfAbsent(d.variant(), k -> new TreeSet<>()).add(d.hardwareVariant());
        }
        Map<String, String> out = new HashMap<>();
        for (FleetDevice d : fleet) {
            out.put(d.id(), hwByTarget.get(d.variant()).size() > 1 ? d.targetAndHardware() : d.variant());
        }
        return out;
    }

    private static List<List<FleetDevice>> plan(RolloutPlan plan, Map<String, List<FleetDevice>> byVariant) {
        Random r = new Random(plan.seed());
        List<List<FleetDevice>> w = new ArrayList<>();
        for (int i = 0; i < plan.waves().size(); i++) {
            w.add(new ArrayList<>());
        }
        for (List<FleetDevice> group : byVariant.values()) {
            List<FleetDevice> g = new ArrayList<>(group);
            g.sort((a, b) -> a.id().compareTo(b.id()));
            Collections.shuffle(g, r);
            int from = 0;
            for (int i = 0; i < plan.waves().size(); i++) {
                int to = Math.max(i == 0 ? 1 : from, (int) Math.ceil(plan.waves().get(i) * g.size()));
                to = Math.min(to, g.size());
                w.get(i).addAll(g.subList(from, to));
                from = to;
            }
        }
        w.removeIf(List::isEmpty);
        return w;
    }

    /**
     * Test seam: {@code hook} runs on the thread of each wave after the wave's outcome is recorded, before the wave
     * counts as over (where a {@link #resume()} from another thread once went unseen).
     */
    void afterWave(Runnable hook) {
        this.afterWave = Objects.requireNonNull(hook, "hook");
    }

    /** @return the planned waves */
    public List<List<FleetDevice>> waves() {
        return Collections.unmodifiableList(waves);
    }

    /** @return the current state */
    public CampaignState state() {
        synchronized (lock) {
            return state;
        }
    }

    /** @return why the campaign halted, if it did */
    public Optional<String> haltReason() {
        synchronized (lock) {
            return Optional.ofNullable(haltReason);
        }
    }

    /**
     * @return when the campaign completed although its last wave crossed a threshold (nothing was left to halt),
     *         what crossed it; the state is then {@link CampaignState#COMPLETED}
     */
    public Optional<String> completedWithFailures() {
        synchronized (lock) {
            return Optional.ofNullable(failureNote);
        }
    }

    /** @return the canary's mean shadow agreement, when a shadow gate ran */
    public Optional<Double> shadowAgreement() {
        synchronized (lock) {
            return Optional.ofNullable(shadowAgreement);
        }
    }

    /** @return reports of the waves run so far */
    public List<WaveReport> reports() {
        synchronized (lock) {
            return List.copyOf(reports);
        }
    }

    /** Pauses after the current wave. */
    public void pause() {
        synchronized (lock) {
            if (state == CampaignState.RUNNING || state == CampaignState.PLANNED) {
                state = CampaignState.PAUSED;
            }
        }
    }

    /**
     * Resumes a paused campaign. When the pause came while a wave was running and that wave has not ended, the pause
     * is cancelled and the running {@link #run()} goes on with the next waves; otherwise {@link #run()} returned
     * {@link CampaignState#PAUSED}: call it again. On a campaign that is planned or running (never paused, or
     * resumed already) it does nothing.
     *
     * <p>A campaign that ended cannot be resumed: a halt means the bundle failed on the devices it reached (see
     * {@link #haltReason()}), so going on with the same bundle is not a resume but a new decision; fix the
     * artifact and run a new campaign with a new bundle sequence (devices refuse the same sequence again).
     *
     * @throws IllegalStateException when the campaign is {@link CampaignState#HALTED},
     *         {@link CampaignState#COMPLETED} or {@link CampaignState#ABORTED}; the message names the state and,
     *         for a halt, its reason
     */
    public void resume() {
        synchronized (lock) {
            switch (state) {
                case PAUSED ->
                    // a wave in flight has started the campaign even before its report exists: PLANNED here let a
                    // second run() send that wave again (the canary updated twice) or left the campaign looking
                    // never started
                    state = reports.isEmpty() && !waveInFlight ? CampaignState.PLANNED : CampaignState.RUNNING;
                case PLANNED, RUNNING -> {
                    // nothing to resume
                }
                default -> throw new IllegalStateException("campaign " + state.name().toLowerCase(java.util.Locale.ROOT)
                        + (state == CampaignState.HALTED ? " (" + haltReason + ")" : "")
                        + ": only a paused campaign can be resumed; "
                        + (state == CampaignState.HALTED ? "fix the artifact and start a new campaign with a new "
                                + "bundle sequence" : "start a new campaign"));
            }
        }
    }

    /** Aborts: no further wave runs. */
    public void abort() {
        synchronized (lock) {
            if (state != CampaignState.COMPLETED && state != CampaignState.HALTED) {
                state = CampaignState.ABORTED;
            }
        }
    }

    /**
     * Runs waves until the campaign completes, halts, is paused or aborted.
     *
     * @return the state reached: never {@link CampaignState#RUNNING} (or {@link CampaignState#PLANNED}), since a
     *         resume that lands before a paused wave ends is seen and the next waves run
     */
    public CampaignState run() {
        while (true) {
            Next n = next();
            if (!n.more()) {
                return n.state();
            }
        }
    }

    /**
     * Runs the next wave if the campaign may proceed.
     *
     * @return true when a wave ran and more may follow
     * @throws IllegalStateException when another thread is running a wave of this campaign
     */
    public boolean step() {
        return next().more();
    }

    /** Whether another wave may run, and the state that decision saw (both taken under {@code lock} at once). */
    private record Next(boolean more, CampaignState state) {
    }

    /**
     * Runs the next wave if the campaign may proceed. Whether to go on is decided under the same lock hold that
     * marks the wave over: a {@link #resume()} either comes before it (it saw the wave in flight and set RUNNING,
     * and the waves go on) or after it (the caller got PAUSED and must run again); none falls in between.
     */
    private Next next() {
        int index;
        synchronized (lock) {
            if (waveInFlight) {
                throw new IllegalStateException("campaign: another thread is running wave "
                        + (reports.size() + 1) + "; one wave runs at a time");
            }
            if (state != CampaignState.PLANNED && state != CampaignState.RUNNING) {
                return new Next(false, state);
            }
            index = reports.size();
            if (index >= waves.size()) {
                state = CampaignState.COMPLETED;
                return new Next(false, state);
            }
            state = CampaignState.RUNNING;
            waveInFlight = true;
        }
        Next decided = null;
        boolean ran = false;
        try {
            runWave(index);
            afterWave.run();
            ran = true;
        } finally {
            synchronized (lock) {
                waveInFlight = false;
                if (ran) {
                    decided = new Next(state == CampaignState.RUNNING && reports.size() < waves.size(), state);
                }
            }
        }
        return decided;
    }

    /** Runs wave {@code index} (shadow gate first for the canary) and records its outcome and decision. */
    private void runWave(int index) {
        List<FleetDevice> wave = waves.get(index);
        if (index == 0 && plan.minShadowAgreement() > 0) {
            Map<String, Double> agreement = executor.shadow(wave, plan.deviceTimeout());
            double mean = agreement.values().stream().mapToDouble(Double::doubleValue).average().orElse(0);
            synchronized (lock) {
                shadowAgreement = mean;
                if (state == CampaignState.ABORTED) {
                    return;
                }
                if (agreement.isEmpty()) {
                    halt(String.format(java.util.Locale.ROOT, "shadow gate %.3f: none of the %d canary devices "
                            + "compared any input in shadow, so nothing shows the candidate agrees",
                            plan.minShadowAgreement(), wave.size()));
                    return;
                }
                Double below = SampleVerdict.shadowBelow(agreement.values().stream().mapToDouble(Double::doubleValue)
                        .toArray(), plan.minShadowAgreement(), plan.minVariantDevices());
                if (below != null) {
                    halt(String.format(java.util.Locale.ROOT, "shadow agreement %.3f below %.3f on %d canary devices%s",
                            mean, plan.minShadowAgreement(), agreement.size(), below == mean ? ""
                                    : String.format(java.util.Locale.ROOT, " (95 %% upper bound %.3f)", below)));
                    return;
                }
            }
        }
        Map<String, DeviceResult> results = executor.update(wave, plan.deviceTimeout());
        int ok = 0;
        int failed = 0;
        int silent = 0;
        Map<String, Integer> byVariant = new TreeMap<>();
        Map<String, int[]> counts = new TreeMap<>(); // variant -> {succeeded, failed, silent}
        for (FleetDevice d : wave) {
            String stratum = stratumOf.get(d.id());
            byVariant.merge(stratum, 1, Integer::sum);
            int[] c = counts.computeIfAbsent(stratum, k -> new int[3]);
            DeviceResult r = results.get(d.id());
            if (r == null) {
                silent++;
                c[2]++;
            } else if (r.success()) {
                ok++;
                c[0]++;
            } else {
                failed++;
                c[1]++;
            }
        }
        Map<String, VariantOutcome> outcomes = new TreeMap<>();
        counts.forEach((v, c) -> outcomes.put(v, new VariantOutcome(c[0] + c[1] + c[2], c[0], c[1], c[2])));
        double failureRate = (double) (failed + silent) / wave.size();
        double successRate = (double) ok / wave.size();
        synchronized (lock) {
            String decision;
            boolean last = index == waves.size() - 1;
            outcomes.forEach((v, o) -> {
                int[] r = reached.computeIfAbsent(v, k -> new int[4]);
                r[0] += o.devices();
                r[1] += o.succeeded();
                r[2] += o.failed();
                r[3] += o.silent();
            });
            String variantBreach = variantBreach(outcomes, index);
            String waveBreach = SampleVerdict.breach(plan.maxFailureRate(), plan.minSuccessRate(), failed + silent, wave.size(), plan.minVariantDevices(),
                    last);
            if (state == CampaignState.ABORTED) {
                decision = "aborted";
            } else if (waveBreach != null) {
                decision = String.format(java.util.Locale.ROOT,
                        "halt: wave %d failure rate %.3f (limit %.3f), success rate %.3f (needs %.3f) on %s%s",
                        index + 1, failureRate, plan.maxFailureRate(), successRate, plan.minSuccessRate(),
                        devices(wave.size()),
                        waveBreach.isEmpty() ? "" : ": " + waveBreach);
            } else if (variantBreach != null) {
                decision = "halt: wave " + (index + 1) + " " + variantBreach;
            } else {
                decision = last ? "complete" : "promote";
            }
            if (last && decision.startsWith("halt: ")) {
                // every device was already in a wave: a halt would stop nothing, so say what failed instead
                decision = "complete with failures: " + decision.substring("halt: ".length());
                failureNote = decision.substring("complete with failures: ".length());
            }
            reports.add(new WaveReport(index, wave.size(), ok, failed, silent, byVariant, failureRate, decision,
                    outcomes));
            if (state == CampaignState.ABORTED) {
                return;
            }
            if (decision.startsWith("halt")) {
                halt(decision.substring("halt: ".length()));
                return;
            }
            if (last) {
                state = CampaignState.COMPLETED;
            }
        }
    }

    /**
     * The first variant (by name) beyond a threshold, described; null when every variant passes. Each variant is
     * judged on its devices in this wave and, by the evidence rules only, on all of its devices reached so far
     * (evidence adds up over waves: a variant with one device in each of the first waves halts once two of them
     * have failed). A sample smaller
     * than {@link RolloutPlan#minVariantDevices()} breaches only on evidence (see {@link SampleVerdict#breach}): one
     * random failure among one or two devices says nothing about the artifact; every one of two or more failing, or
     * the variant's only devices failing in its last wave, does.
     */
    private String variantBreach(Map<String, VariantOutcome> outcomes, int index) {
        for (Map.Entry<String, VariantOutcome> e : outcomes.entrySet()) {
            VariantOutcome o = e.getValue();
            int[] r = reached.get(e.getKey());
            VariantOutcome sofar = new VariantOutcome(r[0], r[1], r[2], r[3]);
            boolean exhausted = lastWaveOf.get(e.getKey()) == index;
            String why = SampleVerdict.breach(plan.maxFailureRate(), plan.minSuccessRate(), o.failed() + o.silent(),
                    o.devices(), plan.minVariantDevices(), exhausted && sofar.devices() == o.devices());
            String where = "";
            if (why == null && sofar.devices() > o.devices()) {
                // evidence only (no direct comparison, whatever the size): the direct comparison stays with the
                // wave's own sample, as before; adding up waves is for small samples that each say too little
                why = SampleVerdict.breach(plan.maxFailureRate(), plan.minSuccessRate(), sofar.failed() + sofar.silent(),
                        sofar.devices(), Integer.MAX_VALUE, exhausted);
                o = sofar;
                where = " so far";
            }
            if (why != null) {
                return String.format(java.util.Locale.ROOT,
                        "variant %s: failure rate %.3f (limit %.3f), success rate %.3f (needs %.3f) on %s%s "
                                + "(%d failed, %d silent)%s", e.getKey(), o.failureRate(), plan.maxFailureRate(),
                        o.successRate(), plan.minSuccessRate(), devices(o.devices()), where, o.failed(), o.silent(),
                        why.isEmpty() ? "" : ": " + why);
            }
        }
        return null;
    }

    /** "1 device", "2 devices": the demo printed "on 1 devices". */
    private static String devices(int n) {
        return n == 1 ? "1 device" : n + " devices";
    }

    private void halt(String reason) {
        state = CampaignState.HALTED;
        haltReason = reason;
    }
}

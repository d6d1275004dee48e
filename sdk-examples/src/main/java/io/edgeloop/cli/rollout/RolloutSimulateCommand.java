package io.edgeloop.cli.rollout;

import io.edgeloop.cli.Edgeloop;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.edgeloop.ota.fleet.FleetSimulator;
import io.edgeloop.ota.fleet.SimulationReport;
import io.edgeloop.ota.rollout.RolloutPlan;
import io.edgeloop.ota.rollout.WaveReport;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code edgeloop rollout simulate}: a staged rollout over a simulated fleet of real device agents with injected
 * failures (crash mid-install, corrupt download, golden-vector failure, silent devices).
 *
 * <p>Not thread-safe: one instance per invocation.
 */
@Command(name = "simulate", mixinStandardHelpOptions = true,
        description = "Simulate a staged rollout over a fleet of real device agents, with injected failures, in waves; "
                + "it makes and signs its own bundles from --seed (it takes no bundle or key).")
public final class RolloutSimulateCommand implements Callable<Integer> {
    @Spec
    private picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--devices", required = true, paramLabel = "N", description = "Fleet size.")
    private int devices;

    @Option(names = "--variants", defaultValue = "avr8,cortex-m3,jvm", split = ",",
            description = "Hardware variants (target profiles), comma-separated (default: ${DEFAULT-VALUE}).")
    private List<String> variants = new ArrayList<>();

    @Option(names = "--failure-rate", defaultValue = "0.02", paramLabel = "F",
            description = "Share of devices with an injected failure (default: ${DEFAULT-VALUE}).")
    private double failureRate;

    @Option(names = "--seed", defaultValue = "1", paramLabel = "S", description = "Seed (default: ${DEFAULT-VALUE}).")
    private long seed;

    @Option(names = "--waves", defaultValue = "0.01,0.05,0.2,0.5,1", split = ",",
            description = "Cumulative wave fractions (default: ${DEFAULT-VALUE}).")
    private List<Double> waves = new ArrayList<>();

    @Option(names = "--max-failure-rate", defaultValue = "0.1", description = "Halt above this per-wave failure rate (default: ${DEFAULT-VALUE}).")
    private double maxFailureRate;

    @Option(names = "--min-variant-devices", defaultValue = "10", paramLabel = "N",
            description = "Minimum sample: compare a wave's or a variant's failure rate (and the canary's shadow"
                    + " agreement) with the limit directly from N devices on; a smaller sample halts only on evidence"
                    + " (every device of 2 or more failed, or a binomial test at 5 %%); 1 compares every rate directly"
                    + " (default: ${DEFAULT-VALUE}).")
    private int minVariantDevices;

    @Option(names = "--min-shadow-agreement", defaultValue = "0.8",
            description = "Canary shadow agreement needed before switching; 0 disables (default: ${DEFAULT-VALUE}).")
    private double minShadow;

    @Option(names = "--json", description = "Print the result as JSON.")
    private boolean json;

    @Override
    public Integer call() throws Exception {
        // The simulated device agents log their recoveries at INFO ("committing the confirmed install ... that a
        // restart interrupted"): the simulation's own report says what happened, as the README promises.
        Edgeloop.quietLibraryLogsUnlessVerbose(spec);
        // Each option is checked here so that the one-line error names it (the library's messages name fields).
        rate("--failure-rate", failureRate);
        rate("--max-failure-rate", maxFailureRate);
        rate("--min-shadow-agreement", minShadow);
        if (minVariantDevices < 1) {
            throw new IllegalArgumentException("--min-variant-devices must be at least 1, got " + minVariantDevices);
        }
        RolloutPlan plan;
        try {
            plan = RolloutPlan.builder().waves(waves).maxFailureRate(maxFailureRate)
                    .minSuccessRate(1 - maxFailureRate).minShadowAgreement(minShadow)
                    .minVariantDevices(minVariantDevices).seed(seed).build();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--waves " + waves + ": " + e.getMessage(), e);
        }
        FleetSimulator.Builder fb = FleetSimulator.builder().failureRate(failureRate).seed(seed).plan(plan);
        try {
            fb.devices(devices);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--devices " + devices + ": " + e.getMessage(), e);
        }
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (String v : variants) {
            if (!seen.add(v)) {
                // a second copy would only split the same hardware's devices into two groups
                throw new IllegalArgumentException("--variants " + String.join(",", variants) + ": '" + v
                        + "' is given more than once; name each target profile once");
            }
        }
        try {
            fb.variants(variants);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--variants " + String.join(",", variants) + ": " + e.getMessage(), e);
        }
        long t0 = System.nanoTime();
        SimulationReport r = fb.build().run();
        long ms = (System.nanoTime() - t0) / 1_000_000;
        if (json) {
            spec.commandLine().getOut().println(new ObjectMapper().writeValueAsString(r.toMap()));
        } else {
            var out = spec.commandLine().getOut();
            out.println("devices " + r.devices() + " (" + String.join(", ", variants) + "), injected failures "
                    + r.injectedByName() + ", seed " + seed);
            r.shadowAgreement().ifPresent(a -> out.printf(java.util.Locale.ROOT, "canary shadow agreement %.3f%n", a));
            for (WaveReport w : r.waves()) {
                out.printf(java.util.Locale.ROOT, "wave %d: %5d devices %s  ok %5d  failed %4d  silent %4d  failure rate %.3f  -> %s%n",
                        w.index() + 1, w.devices(), new java.util.TreeMap<>(w.byVariant()), w.succeeded(), w.failed(), w.timedOut(),
                        w.failureRate(), w.decision());
            }
            out.println((r.halted() ? "HALTED: " + r.haltReason().orElse("")
                    : r.completedWithFailures().map(f -> "completed with failures (" + f + ")").orElse("completed"))
                    + "; on new model "
                    + r.onNewModel() + ", on old model " + r.onOldModel() + ", unverified " + r.unverified() + " ("
                    + ms + " ms)");
        }
        return r.unverified() == 0 ? 0 : 1;
    }

    private static void rate(String option, double value) {
        if (!(value >= 0 && value <= 1)) {
            throw new IllegalArgumentException(option + " must be within [0, 1], got " + value);
        }
    }

    @Override
    public String toString() {
        return "rollout simulate " + Arrays.asList(devices, variants, failureRate, seed);
    }
}

package io.edgeloop.ota.fleet;

import io.edgeloop.ota.rollout.WaveReport;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The end state of a simulated rollout.
 *
 * <p>Thread-safe: immutable (the collections are unmodifiable copies).
 *
 * @param devices         fleet size
 * @param waves           wave reports
 * @param halted          true when the campaign halted
 * @param haltReason      why, when halted
 * @param shadowAgreement the canary's mean shadow agreement, when gated
 * @param onNewModel      devices running the new model (verified)
 * @param onOldModel      devices running the old model (verified)
 * @param unverified      devices whose active model does not verify, or with none
 * @param injected        injected failures by kind (iterated in {@link FailureKind} order)
 */
public record SimulationReport(int devices, List<WaveReport> waves, boolean halted, Optional<String> haltReason,
        Optional<Double> shadowAgreement, int onNewModel, int onOldModel, int unverified,
        Map<FailureKind, Integer> injected) {
    /**
     * Copies collections.
     *
     * @param devices         devices
     * @param waves           waves
     * @param halted          halted
     * @param haltReason      reason
     * @param shadowAgreement agreement
     * @param onNewModel      new
     * @param onOldModel      old
     * @param unverified      unverified
     * @param injected        injected
     */
    public SimulationReport {
        waves = List.copyOf(waves);
        // In FailureKind order, so the text the CLI prints from it is the same on every run with one seed
        // (Map.copyOf iterates in an order that changes between JVM runs).
        java.util.EnumMap<FailureKind, Integer> ordered = new java.util.EnumMap<>(FailureKind.class);
        ordered.putAll(injected);
        injected = java.util.Collections.unmodifiableMap(ordered);
    }

    /**
     * @return when the rollout completed although its last wave crossed a threshold (nothing was left to halt),
     *         what crossed it (from the last wave's decision {@code complete with failures: ...})
     */
    public Optional<String> completedWithFailures() {
        if (halted || waves.isEmpty()) {
            return Optional.empty();
        }
        String d = waves.get(waves.size() - 1).decision();
        String prefix = "complete with failures: ";
        return d.startsWith(prefix) ? Optional.of(d.substring(prefix.length())) : Optional.empty();
    }

    /**
     * @return the JSON-ready map ({@code devices, waves, halted, haltReason, completedWithFailures, onNewModel, onOldModel, unverified, ...}); each wave
     *         carries {@code index} (from 0), {@code wave} (its number from 1, as decisions and the text output
     *         name it) and {@code variants}: per variant {@code devices, succeeded, failed, silent, failureRate}
     */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("devices", devices);
        List<Object> ws = new java.util.ArrayList<>();
        for (WaveReport w : waves) {
            Map<String, Object> wm = new LinkedHashMap<>();
            wm.put("index", w.index());
            wm.put("wave", w.index() + 1);
            wm.put("devices", w.devices());
            wm.put("byVariant", new java.util.TreeMap<>(w.byVariant()));
            wm.put("succeeded", w.succeeded());
            wm.put("failed", w.failed());
            wm.put("timedOut", w.timedOut());
            wm.put("failureRate", Math.round(w.failureRate() * 10000) / 10000.0);
            wm.put("decision", w.decision());
            Map<String, Object> vs = new java.util.TreeMap<>();
            w.outcomesByVariant().forEach((v, o) -> {
                Map<String, Object> om = new LinkedHashMap<>();
                om.put("devices", o.devices());
                om.put("succeeded", o.succeeded());
                om.put("failed", o.failed());
                om.put("silent", o.silent());
                om.put("failureRate", Math.round(o.failureRate() * 10000) / 10000.0);
                vs.put(v, om);
            });
            wm.put("variants", vs);
            ws.add(wm);
        }
        m.put("waves", ws);
        m.put("halted", halted);
        haltReason.ifPresent(r -> m.put("haltReason", r));
        completedWithFailures().ifPresent(r -> m.put("completedWithFailures", r));
        shadowAgreement.ifPresent(a -> m.put("shadowAgreement", Math.round(a * 10000) / 10000.0));
        m.put("onNewModel", onNewModel);
        m.put("onOldModel", onOldModel);
        m.put("unverified", unverified);
        m.put("injectedFailures", injectedByName());
        return m;
    }

    /**
     * @return the injected failures by kind, named as in the JSON output ({@code crash-mid-install}, ...), sorted
     */
    public Map<String, Integer> injectedByName() {
        Map<String, Integer> inj = new java.util.TreeMap<>();
        injected.forEach((k, v) -> inj.put(k.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'), v));
        return java.util.Collections.unmodifiableMap(inj);
    }
}

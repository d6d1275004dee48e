package io.edgeloop.quantize.parity;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalLong;

/**
 * What a parity run found.
 *
 * <p>Thread-safe: immutable.
 *
 * @param target             the target
 * @param vectors            vectors run
 * @param mismatches         0 when the device's hash of every output matched the Java runtime's; otherwise a lower
 *                           bound on the vectors that differ, at least 1: the sampled vectors that differ (only
 *                           {@code samplesCompared} vectors are compared one by one) plus the further device runs
 *                           (threshold-sweep runs, the ATmega328P timing run after a fall-back) whose hash differs
 * @param deviceHash         the FNV-1a hash of all device outputs
 * @param javaHash           the same hash computed by the Java runtime
 * @param samplesCompared    sampled vectors compared output by output
 * @param flashBytes         flash of the model code and tables ({@code model.o} text + data) plus the run-time
 *                           helpers it links in, as {@code report.json}'s {@code flashBytes}
 * @param ramBytes           RAM of the model ({@code model.o} data + bss + stack of its functions)
 * @param cyclesPerInference average CPU cycles per inference on the target's own part (AVR only: simavr is
 *                           cycle-accurate; qemu is not, so Cortex-M runs report none and {@link #cyclesSource()} says
 *                           why). After a fall-back to the ATmega2560 they come from a timing image on the ATmega328P,
 *                           or are absent when even that does not fit: never the larger part's count
 * @param thresholdVectors   tree threshold-sweep vectors run after {@code vectors} and included in the hash (0 for
 *                           networks): every split's threshold and neighbours on its own path
 * @param deviceRuns         device runs (images) used: 1, plus one per further batch of a threshold sweep that did
 *                           not fit one image's flash budget
 * @param simulatedMcu       what the test image ran on: the AVR part ({@code atmega328p}, or {@code atmega2560}
 *                           when the test image does not fit the ATmega328P; sizes are still the ATmega328P's), the
 *                           qemu machine ({@code mps2-an385}, {@code microbit}, {@code mps2-an386}) or {@code host}
 * @param simulatedMcuCyclesPerInference after a fall-back to a larger part, the cycles per inference counted there
 *                           (the ATmega2560's 3-byte program counter makes calls, returns and interrupts slower);
 *                           empty otherwise
 */
public record ParityResult(String target, int vectors, int mismatches, long deviceHash, long javaHash,
        int samplesCompared, long flashBytes, long ramBytes, OptionalLong cyclesPerInference, int thresholdVectors, int deviceRuns,
        String simulatedMcu, OptionalLong simulatedMcuCyclesPerInference) {
    /** Validates the components. */
    public ParityResult {
        java.util.Objects.requireNonNull(cyclesPerInference, "cyclesPerInference");
        java.util.Objects.requireNonNull(simulatedMcu, "simulatedMcu");
        java.util.Objects.requireNonNull(simulatedMcuCyclesPerInference, "simulatedMcuCyclesPerInference");
    }

    /**
     * A result without a larger part's cycle count (no fall-back, or none measured there).
     *
     * @param target             the target
     * @param vectors            vectors run
     * @param mismatches         see the record description
     * @param deviceHash         the device's hash
     * @param javaHash           the Java runtime's hash
     * @param samplesCompared    sampled vectors compared output by output
     * @param flashBytes         model flash bytes
     * @param ramBytes           model RAM bytes
     * @param cyclesPerInference average cycles per inference on the target's own part, if measured
     * @param thresholdVectors   tree threshold-sweep vectors run
     * @param deviceRuns         device runs used
     * @param simulatedMcu       what the test image ran on
     */
    public ParityResult(String target, int vectors, int mismatches, long deviceHash, long javaHash, int samplesCompared,
            long flashBytes, long ramBytes, OptionalLong cyclesPerInference, int thresholdVectors, int deviceRuns,
            String simulatedMcu) {
        this(target, vectors, mismatches, deviceHash, javaHash, samplesCompared, flashBytes, ramBytes, cyclesPerInference,
                thresholdVectors, deviceRuns, simulatedMcu, OptionalLong.empty());
    }

    /**
     * A result whose test image ran on the target's usual part or machine ({@code atmega328p} for {@code avr8}, the
     * qemu machine for Cortex-M targets, {@code host} otherwise).
     *
     * @param target             the target
     * @param vectors            vectors run
     * @param mismatches         see the record description
     * @param deviceHash         the device's hash
     * @param javaHash           the Java runtime's hash
     * @param samplesCompared    sampled vectors compared output by output
     * @param flashBytes         model flash bytes
     * @param ramBytes           model RAM bytes
     * @param cyclesPerInference average cycles per inference, if measured
     * @param thresholdVectors   tree threshold-sweep vectors run
     * @param deviceRuns         device runs used
     */
    public ParityResult(String target, int vectors, int mismatches, long deviceHash, long javaHash, int samplesCompared,
            long flashBytes, long ramBytes, OptionalLong cyclesPerInference, int thresholdVectors, int deviceRuns) {
        this(target, vectors, mismatches, deviceHash, javaHash, samplesCompared, flashBytes, ramBytes, cyclesPerInference,
                thresholdVectors, deviceRuns, usualPart(target));
    }

    private static String usualPart(String target) {
        switch (target) {
            case "avr8":
                return "atmega328p";
            case "cortex-m3":
                return "mps2-an385";
            case "cortex-m0":
                return "microbit";
            case "cortex-m4f":
                return "mps2-an386";
            default:
                return "host";
        }
    }

    /**
     * @return whether the test image ran on a larger part than the one sizes are reported for (the ATmega2560 for an
     *         ATmega328P target)
     */
    public boolean simulatedOnLargerPart() {
        return "avr8".equals(target) && !"atmega328p".equals(simulatedMcu);
    }

    /** @return a one-line description of the mismatches, worded as the lower bound it is */
    public String mismatchSummary() {
        if (mismatches == 0) {
            return "0 mismatches";
        }
        return "outputs differ (hash " + String.format("%08x", deviceHash) + " on the device, "
                + String.format("%08x", javaHash) + " in Java); at least " + mismatches + (mismatches == 1 ? " mismatch" : " mismatches")
                + " (sampled vectors that differ, of " + samplesCompared + ", plus threshold-sweep runs whose hash "
                + "differs" + (simulatedOnLargerPart() ? ", plus the " + usualPart(target) + " timing run if its hash "
                + "differs" : "") + ")";
    }

    /** @return the JSON-ready map ({@code cyclesPerInference} null when not measured) */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("target", target);
        m.put("vectors", vectors);
        m.put("thresholdVectors", thresholdVectors);
        m.put("deviceRuns", deviceRuns);
        m.put("mismatches", mismatches);
        m.put("deviceHash", String.format("%08x", deviceHash));
        m.put("javaHash", String.format("%08x", javaHash));
        m.put("samplesCompared", samplesCompared);
        m.put("flashBytes", flashBytes);
        m.put("ramBytes", ramBytes);
        m.put("cyclesPerInference", cyclesPerInference.isPresent() ? cyclesPerInference.getAsLong() : null);
        // a board of one's own counts its cycles on its own part, the one it was simulated on
        m.put("cyclesMcu", cyclesPerInference.isPresent() ? ("avr8".equals(target) ? usualPart(target) : simulatedMcu)
                : null);
        m.put("cyclesSource", cyclesSource());
        m.put("simulatedMcu", simulatedMcu);
        if (simulatedMcuCyclesPerInference.isPresent()) {
            m.put("simulatedMcuCyclesPerInference", simulatedMcuCyclesPerInference.getAsLong());
        }
        if (simulatedOnLargerPart()) {
            m.put("simulatedNote", "the parity test image (model plus test driver) does not fit the ATmega328P, so it "
                    + "was built for and simulated on the " + simulatedMcu + "; flashBytes and ramBytes are model.c "
                    + "(with the run-time helpers it links in) built for the ATmega328P");
        }
        return m;
    }

    /** The qemu machines Cortex-M images run on ({@link #simulatedMcu}); qemu counts no cycles. */
    private static final java.util.Set<String> QEMU_MACHINES = java.util.Set.of("mps2-an385", "microbit", "mps2-an386");

    /**
     * Where {@link #cyclesPerInference} comes from, or why it is absent, told by where the image ran
     * ({@link #simulatedMcu}), so a board of one's own gets its emulator's reason, not the host's.
     *
     * @return the source or the reason, one line
     */
    public String cyclesSource() {
        boolean avr8 = "avr8".equals(target);
        String larger = simulatedMcuCyclesPerInference.isPresent() ? "; the " + simulatedMcu + " parity run counted "
                + simulatedMcuCyclesPerInference.getAsLong() + " (simulatedMcuCyclesPerInference), which is not the "
                + (avr8 ? "ATmega328P's" : "count of the board's own part") + ": calls, returns and interrupts take "
                + "longer with its 3-byte program counter" : "";
        if (cyclesPerInference.isPresent()) {
            if (simulatedOnLargerPart()) {
                return "simavr (cycle-accurate): ATmega328P Timer1 at the CPU clock, mean over up to 1,000 "
                        + "random vectors of a timing image (the model with a driver without printf or vector tables: "
                        + "the parity image did not fit the ATmega328P and ran on the " + simulatedMcu + ")" + larger;
            }
            return "simavr (cycle-accurate): " + (avr8 ? "ATmega328P" : simulatedMcu)
                    + " Timer1 at the CPU clock, mean over the first 1,000 inferences";
        }
        if (simulatedOnLargerPart()) {
            return "not measured on the ATmega328P: neither the parity image nor a timing image of the model with a "
                    + "minimal driver fits it" + larger;
        }
        if (simulatedMcuCyclesPerInference.isPresent()) {
            return "not measured on the board's own part: the parity image did not fit it and ran on the "
                    + simulatedMcu + larger;
        }
        if (QEMU_MACHINES.contains(simulatedMcu)) {
            return "not measured: qemu-system-arm (machine " + simulatedMcu + ") does not count cycles: it translates "
                    + "the code without modelling CPU timing (its instruction counter is not a cycle count)";
        }
        if ("host".equals(simulatedMcu)) {
            return "not measured: host runs report no cycle figure";
        }
        return "not measured: the simavr run on the " + simulatedMcu + " timed no inference";
    }
}

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
 * @param mismatches         vectors whose device outputs differ from the Java runtime (0 when the hash matched;
 *                           otherwise the number of sampled vectors that differ, at least 1)
 * @param deviceHash         the FNV-1a hash of all device outputs
 * @param javaHash           the same hash computed by the Java runtime
 * @param samplesCompared    sampled vectors compared output by output
 * @param flashBytes         flash of the test firmware's model code and tables ({@code model.o} text + data)
 * @param ramBytes           RAM of the model ({@code model.o} data + bss + stack of its functions)
 * @param cyclesPerInference average CPU cycles per inference (AVR only: simavr is cycle-accurate; qemu is not)
 */
public record ParityResult(String target, int vectors, int mismatches, long deviceHash, long javaHash,
        int samplesCompared, long flashBytes, long ramBytes, OptionalLong cyclesPerInference) {
    /** @return the JSON-ready map ({@code cyclesPerInference} null when not measured) */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("target", target);
        m.put("vectors", vectors);
        m.put("mismatches", mismatches);
        m.put("deviceHash", String.format("%08x", deviceHash));
        m.put("javaHash", String.format("%08x", javaHash));
        m.put("samplesCompared", samplesCompared);
        m.put("flashBytes", flashBytes);
        m.put("ramBytes", ramBytes);
        m.put("cyclesPerInference", cyclesPerInference.isPresent() ? cyclesPerInference.getAsLong() : null);
        return m;
    }
}

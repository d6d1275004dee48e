package io.edgeloop.api.target;

/** Byte order of a target's memory. Thread-safe: an enum of constants. */
public enum Endianness {
    /** Least significant byte first (AVR, Cortex-M, x86). */
    LITTLE,
    /**
     * Most significant byte first. No {@link CpuCore} is built big-endian ({@link CpuCore#endianness()}), so a
     * profile with this byte order is refused.
     */
    BIG
}

package io.edgeloop.api.target;

/** Byte order of a target's memory. */
public enum Endianness {
    /** Least significant byte first (AVR, Cortex-M, x86). */
    LITTLE,
    /** Most significant byte first. */
    BIG
}

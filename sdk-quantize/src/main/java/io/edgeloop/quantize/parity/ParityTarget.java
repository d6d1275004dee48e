package io.edgeloop.quantize.parity;

import io.edgeloop.api.target.CpuCore;
import java.util.Locale;

/**
 * Where the parity harness runs generated code: the host ({@code gcc}), an ATmega328P in simavr, a Cortex-M3
 * (qemu {@code mps2-an385}), a Cortex-M0 (qemu {@code microbit}) or a Cortex-M4F (qemu {@code mps2-an386}), the
 * Cortex-M targets with semihosting.
 *
 * <p>Thread-safe: an enum.
 */
public enum ParityTarget {
    /** Host gcc. */
    HOST("host"),
    /** avr-gcc + simavr, ATmega328P at 16 MHz. */
    AVR8("avr8"),
    /** arm-none-eabi-gcc + qemu-system-arm mps2-an385. */
    CORTEX_M3("cortex-m3"),
    /** arm-none-eabi-gcc + qemu-system-arm microbit. */
    CORTEX_M0("cortex-m0"),
    /** arm-none-eabi-gcc (hard-float ABI, FPv4-SP) + qemu-system-arm mps2-an386. */
    CORTEX_M4F("cortex-m4f");

    private final String id;

    ParityTarget(String id) {
        this.id = id;
    }

    /** @return the id used on the command line */
    public String id() {
        return id;
    }

    /**
     * The emulator family a core runs on: AVR in simavr, Cortex-M0 and M0+ (one instruction set, ARMv6-M) on qemu
     * {@code microbit}, M3 on {@code mps2-an385}, M4F on {@code mps2-an386}, the host natively.
     *
     * @param core a target profile's core
     * @return the parity target of that core
     */
    public static ParityTarget forCore(CpuCore core) {
        switch (java.util.Objects.requireNonNull(core, "core")) {
            case AVR:
                return AVR8;
            case CORTEX_M0:
            case CORTEX_M0PLUS:
                return CORTEX_M0;
            case CORTEX_M3:
                return CORTEX_M3;
            case CORTEX_M4F:
                return CORTEX_M4F;
            case HOST:
                return HOST;
            default:
                throw new IllegalArgumentException("No emulator runs core '" + core.id() + "'");
        }
    }

    /**
     * @param id {@code host}, {@code avr8}, {@code cortex-m3}, {@code cortex-m0} or {@code cortex-m4f}
     * @return the target
     * @throws IllegalArgumentException listing the known ids
     */
    public static ParityTarget of(String id) {
        String k = id.trim().toLowerCase(Locale.ROOT);
        for (ParityTarget t : values()) {
            if (t.id.equals(k)) {
                return t;
            }
        }
        throw new IllegalArgumentException("Unknown parity target '" + id + "'; use host, avr8, cortex-m3, cortex-m0 or cortex-m4f");
    }
}

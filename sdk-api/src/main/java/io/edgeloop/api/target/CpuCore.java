package io.edgeloop.api.target;

import java.util.Locale;
import java.util.Objects;
import java.util.StringJoiner;

/**
 * The CPU core family of a {@link TargetProfile}: what the code generator builds for (compiler and flags) and
 * which emulator the parity harness runs it on. A board's own profile picks one of these; the MCU or board name
 * stays in {@link TargetProfile#hardwareVariant()} (on AVR it is the avr-gcc {@code -mmcu=} name, such as
 * {@code atmega2560}).
 *
 * <p>Thread-safe: an enum.
 */
public enum CpuCore {
    /** 8-bit AVR (avr-gcc {@code -mmcu=<hardware variant>}, simavr). */
    AVR("avr", 8, false),
    /** ARM Cortex-M0 (ARMv6-M, {@code -mcpu=cortex-m0}, qemu {@code microbit}). */
    CORTEX_M0("cortex-m0", 32, false),
    /** ARM Cortex-M0+ (ARMv6-M, {@code -mcpu=cortex-m0plus}, qemu {@code microbit}: the same instruction set). */
    CORTEX_M0PLUS("cortex-m0plus", 32, false),
    /** ARM Cortex-M3 (ARMv7-M, {@code -mcpu=cortex-m3}, qemu {@code mps2-an385}). */
    CORTEX_M3("cortex-m3", 32, false),
    /** ARM Cortex-M4 with its single-precision FPU (hard-float ABI, qemu {@code mps2-an386}). */
    CORTEX_M4F("cortex-m4f", 32, true),
    /** The host: a gateway running Java, C built with the host {@code gcc}. */
    HOST("host", 32, true);

    private final String id;
    private final int wordBits;
    private final boolean fpu;

    CpuCore(String id, int wordBits, boolean fpu) {
        this.id = id;
        this.wordBits = wordBits;
        this.fpu = fpu;
    }

    /** @return the lower-kebab id written in files and accepted on command lines ({@code cortex-m0plus}) */
    public String id() {
        return id;
    }

    /** @return the native word size in bits of this core: 8 for AVR, 32 otherwise */
    public int wordBits() {
        return wordBits;
    }

    /**
     * @return whether this core has a hardware FPU; the host is taken to have one but a host profile may say
     *         otherwise
     */
    public boolean hasFpu() {
        return fpu;
    }

    /**
     * The byte order Edgeloop builds and runs this core in: little-endian for every core. AVR is; Cortex-M is built
     * with {@code arm-none-eabi-gcc}'s default ({@code -mlittle-endian}) and run on little-endian qemu machines; the
     * host core covers the x86-64 and arm64 gateways Edgeloop builds and tests on. A profile of another byte order is
     * refused ({@link TargetProfile.Builder#build()}).
     *
     * @return {@link Endianness#LITTLE}
     */
    public Endianness endianness() {
        return Endianness.LITTLE;
    }

    /**
     * @param id a core id ({@code avr}, {@code cortex-m0}, {@code cortex-m0plus}, {@code cortex-m3},
     *           {@code cortex-m4f}, {@code host}), in any case
     * @return the core
     * @throws IllegalArgumentException naming the value and listing the ids
     */
    public static CpuCore of(String id) {
        Objects.requireNonNull(id, "id");
        String k = id.trim().toLowerCase(Locale.ROOT);
        for (CpuCore c : values()) {
            if (c.id.equals(k)) {
                return c;
            }
        }
        throw new IllegalArgumentException("Unknown CPU core '" + id + "'; known cores: " + ids());
    }

    /** @return every core id, comma-separated, for messages */
    public static String ids() {
        StringJoiner j = new StringJoiner(", ");
        for (CpuCore c : values()) {
            j.add(c.id);
        }
        return j.toString();
    }
}

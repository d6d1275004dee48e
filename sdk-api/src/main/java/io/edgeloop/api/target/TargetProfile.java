package io.edgeloop.api.target;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * What a deployment target can run: CPU core, word size, FPU, flash and RAM budget, byte order. Quantizers and
 * the C generator read it (the core decides the compiler, its flags and the parity emulator); bundles name it per
 * artifact; device agents refuse artifacts for another variant.
 *
 * <p>Built-in profiles: {@link #AVR8}, {@link #CORTEX_M0}, {@link #CORTEX_M3}, {@link #CORTEX_M4F},
 * {@link #JVM}. A board of one's own is described with {@link #builder()} and supplied by a
 * {@link TargetProfileProvider}; {@link TargetProfiles} resolves ids to both. Thread-safe: immutable.
 */
public final class TargetProfile {
    /** ATmega328P: 8-bit AVR, 32 KiB flash, 2 KiB RAM, no FPU. */
    public static final TargetProfile AVR8 = builder().id("avr8").core(CpuCore.AVR).hardwareVariant("atmega328p").wordBits(8)
            .fpu(false).flashBytes(32 * 1024).ramBytes(2 * 1024).endianness(Endianness.LITTLE).build();
    /** Cortex-M0 (nRF51822 as on the BBC micro:bit): 32-bit, 256 KiB flash, 16 KiB RAM, no FPU. */
    public static final TargetProfile CORTEX_M0 = builder().id("cortex-m0").core(CpuCore.CORTEX_M0).hardwareVariant("nrf51822").wordBits(32)
            .fpu(false).flashBytes(256 * 1024).ramBytes(16 * 1024).endianness(Endianness.LITTLE).build();
    /** Cortex-M3 (as on the MPS2 AN385 board): 32-bit, 256 KiB flash, 64 KiB RAM, no FPU. */
    public static final TargetProfile CORTEX_M3 = builder().id("cortex-m3").core(CpuCore.CORTEX_M3).hardwareVariant("mps2-an385").wordBits(32)
            .fpu(false).flashBytes(256 * 1024).ramBytes(64 * 1024).endianness(Endianness.LITTLE).build();
    /** Cortex-M4F (as on the MPS2 AN386 board): 32-bit with single-precision FPU, 1 MiB flash, 256 KiB RAM. */
    public static final TargetProfile CORTEX_M4F = builder().id("cortex-m4f").core(CpuCore.CORTEX_M4F).hardwareVariant("mps2-an386")
            .wordBits(32).fpu(true).flashBytes(1024 * 1024).ramBytes(256 * 1024).endianness(Endianness.LITTLE)
            .build();
    /** A gateway running Java: 32-bit integer arithmetic, FPU, budgets limited only by the host. */
    public static final TargetProfile JVM = builder().id("jvm").core(CpuCore.HOST).hardwareVariant("jvm").wordBits(32).fpu(true)
            .flashBytes(1L << 30).ramBytes(1L << 30).endianness(Endianness.LITTLE).build();

    private static final List<TargetProfile> BUILT_IN = List.of(AVR8, CORTEX_M0, CORTEX_M3, CORTEX_M4F, JVM);

    private final String id;
    private final CpuCore core;
    private final String hardwareVariant;
    private final int wordBits;
    private final boolean fpu;
    private final long flashBytes;
    private final long ramBytes;
    private final Endianness endianness;

    private TargetProfile(Builder b) {
        this.id = b.id;
        this.core = b.core;
        this.hardwareVariant = b.hardwareVariant;
        this.wordBits = b.wordBits;
        this.fpu = b.fpu;
        this.flashBytes = b.flashBytes;
        this.ramBytes = b.ramBytes;
        this.endianness = b.endianness;
    }

    /** @return the built-in profiles */
    public static List<TargetProfile> builtIn() {
        return BUILT_IN;
    }

    /**
     * Returns a built-in profile by id; {@link TargetProfiles#of} also knows the profiles of providers.
     *
     * @param id the id, for example {@code avr8}
     * @return the profile
     * @throws IllegalArgumentException when no built-in profile has that id (the message lists them)
     */
    public static TargetProfile of(String id) {
        return find(id).orElseThrow(() -> new IllegalArgumentException("Unknown target profile '" + id
                + "'; built-in profiles: avr8, cortex-m0, cortex-m3, cortex-m4f, jvm"));
    }

    /**
     * @param id the id
     * @return the built-in profile with that id, if any ({@link TargetProfiles#find} also knows provided ones)
     */
    public static Optional<TargetProfile> find(String id) {
        Objects.requireNonNull(id, "id");
        String k = id.trim().toLowerCase(Locale.ROOT);
        for (TargetProfile p : BUILT_IN) {
            if (p.id.equals(k)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    /**
     * The profile as a JSON-ready map, for files that must read back a board of one's own without its provider
     * ({@code model.json}, {@code report.json}).
     *
     * @return {@code id}, {@code hardwareVariant}, {@code core}, {@code wordBits}, {@code fpu}, {@code flashBytes},
     *         {@code ramBytes} and {@code endianness} ({@code little} or {@code big}), in that order
     */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", id);
        m.put("hardwareVariant", hardwareVariant);
        m.put("core", core.id());
        m.put("wordBits", wordBits);
        m.put("fpu", fpu);
        m.put("flashBytes", flashBytes);
        m.put("ramBytes", ramBytes);
        m.put("endianness", endianness.name().toLowerCase(Locale.ROOT));
        return m;
    }

    /**
     * Reads a map written by {@link #toMap()} (as parsed from JSON: numbers may be any integral {@link Number}).
     *
     * @param m the map
     * @return the profile
     * @throws IllegalArgumentException naming the field that is missing, invalid or out of range (and the range),
     *                                  an unknown core, a byte order other than the core's, or a built-in id with
     *                                  values other than the built-in profile's
     */
    public static TargetProfile fromMap(Map<String, ?> m) {
        Objects.requireNonNull(m, "m");
        Object fpu = m.get("fpu");
        if (!(fpu instanceof Boolean)) {
            throw new IllegalArgumentException("target profile field 'fpu' must be true or false, got " + fpu);
        }
        String order = string(m, "endianness");
        Endianness e;
        if (order.equals("little")) {
            e = Endianness.LITTLE;
        } else if (order.equals("big")) {
            e = Endianness.BIG;
        } else {
            throw new IllegalArgumentException("target profile endianness must be little or big, got '" + order + "'");
        }
        // Ranges checked here, not by a narrowing conversion: a corrupt wordBits of 2^40 threw ArithmeticException
        // (Math.toIntExact), which readers catching IllegalArgumentException printed as a stack trace.
        TargetProfile p = builder().id(string(m, "id")).hardwareVariant(string(m, "hardwareVariant"))
                .core(CpuCore.of(string(m, "core"))).wordBits((int) integral(m, "wordBits", 8, 32, "8, 16 or 32"))
                .fpu((Boolean) fpu).flashBytes(integral(m, "flashBytes", 1, Long.MAX_VALUE, BYTES_RANGE))
                .ramBytes(integral(m, "ramBytes", 1, Long.MAX_VALUE, BYTES_RANGE)).endianness(e).build();
        Optional<TargetProfile> builtIn = find(p.id);
        if (builtIn.isPresent() && !builtIn.get().equals(p)) {
            throw new IllegalArgumentException("target profile differs from the built-in profile '" + p.id + "' ("
                    + p + " stored, " + builtIn.get() + " built in)");
        }
        return p;
    }

    private static String string(Map<String, ?> m, String k) {
        Object v = m.get(k);
        if (!(v instanceof String)) {
            throw new IllegalArgumentException("target profile field '" + k + "' must be a string, got " + v);
        }
        return (String) v;
    }

    private static final String BYTES_RANGE = "an integer from 1 to " + Long.MAX_VALUE;

    /** An integral number in {@code [min, max]}; {@code allowed} says what is allowed in the message. */
    private static long integral(Map<String, ?> m, String k, long min, long max, String allowed) {
        Object v = m.get(k);
        boolean integer = v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte
                || v instanceof java.math.BigInteger && ((java.math.BigInteger) v).bitLength() < 64;
        if (!integer || ((Number) v).longValue() < min || ((Number) v).longValue() > max) {
            throw new IllegalArgumentException("target profile field '" + k + "' must be " + allowed + ", got " + v);
        }
        return ((Number) v).longValue();
    }

    /** @return a new builder */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the profile id, lower-kebab ({@code avr8}) */
    public String id() {
        return id;
    }

    /** @return the CPU core family: decides the compiler, its flags and the emulator parity runs on */
    public CpuCore core() {
        return core;
    }

    /**
     * @return the hardware variant (MCU or board), for example {@code atmega328p}; on {@link CpuCore#AVR} it is the
     *         avr-gcc {@code -mmcu=} name
     */
    public String hardwareVariant() {
        return hardwareVariant;
    }

    /** @return the native word size in bits: 8, 16 or 32 */
    public int wordBits() {
        return wordBits;
    }

    /** @return whether the target has a hardware floating-point unit */
    public boolean hasFpu() {
        return fpu;
    }

    /** @return the flash budget in bytes */
    public long flashBytes() {
        return flashBytes;
    }

    /** @return the RAM budget in bytes */
    public long ramBytes() {
        return ramBytes;
    }

    /** @return the byte order */
    public Endianness endianness() {
        return endianness;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof TargetProfile)) {
            return false;
        }
        TargetProfile t = (TargetProfile) o;
        return wordBits == t.wordBits && fpu == t.fpu && flashBytes == t.flashBytes && ramBytes == t.ramBytes
                && id.equals(t.id) && core == t.core && hardwareVariant.equals(t.hardwareVariant) && endianness == t.endianness;
    }

    @Override
    public int hashCode() {
        return Objects.hash(id, core, hardwareVariant, wordBits, fpu, flashBytes, ramBytes, endianness);
    }

    @Override
    public String toString() {
        return "TargetProfile[" + id + " (" + core.id() + ", " + hardwareVariant + "), " + wordBits + "-bit, "
                + (fpu ? "FPU" : "no FPU") + ", flash " + flashBytes + " B, RAM " + ramBytes + " B, "
                + endianness.name().toLowerCase(Locale.ROOT) + "-endian]";
    }

    /** Builder for {@link TargetProfile}. Not thread-safe. */
    public static final class Builder {
        private String id;
        private CpuCore core;
        private String hardwareVariant;
        private int wordBits = 32;
        private boolean fpu;
        private long flashBytes;
        private long ramBytes;
        private Endianness endianness = Endianness.LITTLE;

        private Builder() {
        }

        /**
         * @param id lower-kebab id
         * @return this builder
         */
        public Builder id(String id) {
            this.id = Objects.requireNonNull(id, "id");
            return this;
        }

        /**
         * @param core the CPU core family (required): decides the compiler, its flags and the parity emulator
         * @return this builder
         */
        public Builder core(CpuCore core) {
            this.core = Objects.requireNonNull(core, "core");
            return this;
        }

        /**
         * @param hardwareVariant MCU or board name; on {@link CpuCore#AVR} the avr-gcc {@code -mmcu=} name
         *                        ({@code atmega2560})
         * @return this builder
         */
        public Builder hardwareVariant(String hardwareVariant) {
            this.hardwareVariant = Objects.requireNonNull(hardwareVariant, "hardwareVariant");
            return this;
        }

        /**
         * @param wordBits 8, 16 or 32
         * @return this builder
         */
        public Builder wordBits(int wordBits) {
            this.wordBits = wordBits;
            return this;
        }

        /**
         * @param fpu whether a hardware FPU exists
         * @return this builder
         */
        public Builder fpu(boolean fpu) {
            this.fpu = fpu;
            return this;
        }

        /**
         * @param flashBytes flash budget, positive
         * @return this builder
         */
        public Builder flashBytes(long flashBytes) {
            this.flashBytes = flashBytes;
            return this;
        }

        /**
         * @param ramBytes RAM budget, positive
         * @return this builder
         */
        public Builder ramBytes(long ramBytes) {
            this.ramBytes = ramBytes;
            return this;
        }

        /**
         * @param endianness byte order (little-endian by default): must be the core's ({@link CpuCore#endianness()})
         * @return this builder
         */
        public Builder endianness(Endianness endianness) {
            this.endianness = Objects.requireNonNull(endianness, "endianness");
            return this;
        }

        private static String name(Endianness e) {
            return e.name().toLowerCase(Locale.ROOT);
        }

        /**
         * @return the profile
         * @throws IllegalArgumentException when a field is missing or out of range, or contradicts the core (word
         *                                  size and FPU, except on the host core; byte order:
         *                                  {@link CpuCore#endianness()})
         */
        public TargetProfile build() {
            if (id == null || !id.matches("[a-z0-9][a-z0-9-]*")) {
                throw new IllegalArgumentException("TargetProfile id must be lower-kebab-case, got '" + id + "'");
            }
            if (hardwareVariant == null || hardwareVariant.isBlank()) {
                throw new IllegalArgumentException("TargetProfile '" + id + "' needs a hardware variant");
            }
            if (wordBits != 8 && wordBits != 16 && wordBits != 32) {
                throw new IllegalArgumentException("TargetProfile wordBits must be 8, 16 or 32, got " + wordBits);
            }
            if (flashBytes <= 0 || ramBytes <= 0) {
                throw new IllegalArgumentException("TargetProfile '" + id + "' needs positive flash and RAM budgets");
            }
            if (core == null) {
                throw new IllegalArgumentException("TargetProfile '" + id + "' needs a CPU core (core(CpuCore...)): "
                        + "one of " + CpuCore.ids());
            }
            if (core != CpuCore.HOST && core.wordBits() != wordBits) {
                throw new IllegalArgumentException("TargetProfile '" + id + "': core " + core.id() + " is "
                        + core.wordBits() + "-bit, but wordBits is " + wordBits);
            }
            if (core != CpuCore.HOST && core.hasFpu() != fpu) {
                throw new IllegalArgumentException("TargetProfile '" + id + "': core " + core.id()
                        + (core.hasFpu() ? " has an FPU, but fpu is false" : " has no FPU, but fpu is true"));
            }
            if (endianness != core.endianness()) {
                throw new IllegalArgumentException("TargetProfile '" + id + "': core " + core.id() + " is "
                        + name(core.endianness()) + "-endian (every core Edgeloop builds for is: AVR, Cortex-M as "
                        + "arm-none-eabi-gcc and qemu run it, x86-64 and arm64 hosts), but endianness is "
                        + name(endianness));
            }
            return new TargetProfile(this);
        }
    }
}

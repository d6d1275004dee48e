package io.edgeloop.quantize.codegen;

import io.edgeloop.api.target.CpuCore;
import io.edgeloop.api.target.TargetProfile;
import io.edgeloop.quantize.runtime.ScratchDirectory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The C compiler Edgeloop drives for a target profile, derived from its {@link CpuCore}: host {@code gcc},
 * {@code avr-gcc -mmcu=<the profile's hardware variant>} (the ATmega328P for {@code avr8}) or
 * {@code arm-none-eabi-gcc -mcpu=<core>} (Cortex-M0, M0+, M3, M4F). Compiles objects for size reports. A profile
 * id or core that no toolchain builds for is an error naming it, never the host compiler in its place.
 *
 * <p>Thread-safe: immutable.
 */
public final class Toolchain {
    /** The host C compiler. */
    public static final Toolchain HOST = new Toolchain(CpuCore.HOST, "gcc", "size", List.of("-O2"));
    /** avr-gcc for the ATmega328P. */
    public static final Toolchain AVR = avr("atmega328p");
    /** arm-none-eabi-gcc for the Cortex-M0. */
    public static final Toolchain CORTEX_M0 = arm(CpuCore.CORTEX_M0, List.of("-mcpu=cortex-m0", "-mthumb", "-Os"));
    /** arm-none-eabi-gcc for the Cortex-M0+. */
    public static final Toolchain CORTEX_M0PLUS = arm(CpuCore.CORTEX_M0PLUS,
            List.of("-mcpu=cortex-m0plus", "-mthumb", "-Os"));
    /** arm-none-eabi-gcc for the Cortex-M3. */
    public static final Toolchain CORTEX_M3 = arm(CpuCore.CORTEX_M3, List.of("-mcpu=cortex-m3", "-mthumb", "-Os"));
    /** arm-none-eabi-gcc for the Cortex-M4F. */
    public static final Toolchain CORTEX_M4F = arm(CpuCore.CORTEX_M4F,
            List.of("-mcpu=cortex-m4", "-mthumb", "-mfloat-abi=hard", "-mfpu=fpv4-sp-d16", "-Os"));
    /** An avr-gcc MCU name as {@code avr-gcc --target-help} lists them ({@code atmega2560}, {@code attiny85}). */
    private static final Pattern AVR_MCU = Pattern.compile("[a-z][a-z0-9]*");

    private final CpuCore core;
    private final String compiler;
    private final String size;
    private final List<String> flags;
    /** AVR only: the MCU and where it came from, for the error when avr-gcc does not know it; else null. */
    private final String mcu;
    private final String mcuSource;

    private Toolchain(CpuCore core, String compiler, String size, List<String> flags) {
        this(core, compiler, size, flags, null, null);
    }

    private Toolchain(CpuCore core, String compiler, String size, List<String> flags, String mcu, String mcuSource) {
        this.core = core;
        this.compiler = compiler;
        this.size = size;
        this.flags = List.copyOf(flags);
        this.mcu = mcu;
        this.mcuSource = mcuSource;
    }

    private static Toolchain avr(String mcu) {
        return avr(mcu, "the avr8 profile's hardwareVariant");
    }

    private static Toolchain avr(String mcu, String source) {
        return new Toolchain(CpuCore.AVR, "avr-gcc", "avr-size", List.of("-mmcu=" + mcu, "-Os"), mcu, source);
    }

    private static Toolchain arm(CpuCore core, List<String> flags) {
        return new Toolchain(core, "arm-none-eabi-gcc", "arm-none-eabi-size", flags);
    }

    /**
     * The toolchain building for a profile: its core decides the compiler and flags; on AVR the profile's hardware
     * variant is the {@code -mmcu=} part. Only its syntax is checked here (no compiler runs): whether avr-gcc knows
     * that MCU shows when it compiles ({@link #measureDetailed} then says so).
     *
     * @param profile the target profile
     * @return the toolchain ({@code jvm} and any other host profile build with the host compiler)
     * @throws IllegalArgumentException when an AVR profile's hardware variant is not syntactically an avr-gcc MCU
     *                                  name (lower-case letters and digits, starting with a letter)
     */
    public static Toolchain forProfile(TargetProfile profile) {
        CpuCore c = java.util.Objects.requireNonNull(profile, "profile").core();
        switch (c) {
            case AVR:
                if (!AVR_MCU.matcher(profile.hardwareVariant()).matches()) {
                    throw new IllegalArgumentException("Target profile '" + profile.id() + "' (core avr): hardware "
                            + "variant '" + profile.hardwareVariant() + "' is not an avr-gcc MCU name (-mmcu=, such as "
                            + "atmega2560; see avr-gcc --target-help)");
                }
                return profile.hardwareVariant().equals("atmega328p") ? AVR
                        : avr(profile.hardwareVariant(), "profile " + profile.id() + "'s hardwareVariant");
            case CORTEX_M0:
                return CORTEX_M0;
            case CORTEX_M0PLUS:
                return CORTEX_M0PLUS;
            case CORTEX_M3:
                return CORTEX_M3;
            case CORTEX_M4F:
                return CORTEX_M4F;
            case HOST:
                return HOST;
            default:
                throw new IllegalArgumentException("No toolchain builds for core '" + c.id() + "' of target profile '"
                        + profile.id() + "'");
        }
    }

    /**
     * The toolchain of a built-in profile id.
     *
     * @param targetId a built-in target profile id
     * @return the toolchain building for it ({@code jvm} maps to the host)
     * @throws IllegalArgumentException for any other id (the message lists the built-in ones): a board of one's own
     *                                  is built with {@link #forProfile}, never silently with the host compiler
     */
    public static Toolchain forTarget(String targetId) {
        return forProfile(TargetProfile.of(targetId));
    }

    @Override
    public String toString() {
        return compiler + " " + String.join(" ", flags);
    }

    /** @return the core this toolchain builds for */
    public CpuCore core() {
        return core;
    }

    /** @return the compiler command */
    public String compiler() {
        return compiler;
    }

    /** @return the target flags */
    public List<String> flags() {
        return flags;
    }

    /**
     * Sizes of {@code model.c} built for a target.
     *
     * <p>Immutable, so thread-safe.
     *
     * @param flashBytes       the flash the model costs a firmware: {@code model.o}'s text + data plus
     *                         {@code helperFlashBytes}
     * @param staticRamBytes   data + bss
     * @param frameBytes       the stack frames of {@code model.c}'s functions as the compiler reports them
     *                         ({@code -fstack-usage}), summed: a bound on the deepest chain among them
     * @param helperStackBytes the stack of the compiler's run-time helpers {@code model.c} calls (libgcc's 64-bit
     *                         arithmetic), which {@code -fstack-usage} does not see: see {@link #helperStackBytes}
     * @param stackSource      how the stack was counted, in words (frames by function, helpers by name)
     * @param helperFlashBytes the flash of the library code {@code model.o} pulls in when linked (libgcc's 64-bit
     *                         arithmetic, avr-libc's {@code memcpy_P}): the image of {@code model.o} linked with a
     *                         stub {@code main} minus the stub alone minus {@code model.o}'s own text + data
     * @param sizeSource       how the flash was counted, in words (the command, the helpers by name and size)
     */
    public record Measurement(long flashBytes, long staticRamBytes, long frameBytes, long helperStackBytes,
            String stackSource, long helperFlashBytes, String sizeSource) {
        /**
         * A measurement without linked helpers (flash is {@code model.o} alone).
         *
         * @param flashBytes       text + data
         * @param staticRamBytes   data + bss
         * @param frameBytes       the compiler's stack frames, summed
         * @param helperStackBytes the run-time helpers' stack
         * @param stackSource      how the stack was counted
         */
        public Measurement(long flashBytes, long staticRamBytes, long frameBytes, long helperStackBytes,
                String stackSource) {
            this(flashBytes, staticRamBytes, frameBytes, helperStackBytes, stackSource, 0,
                    "model.o text + data; run-time helpers not linked");
        }

        /** @return {@code model.o}'s own text + data: {@code flashBytes - helperFlashBytes} */
        public long modelFlashBytes() {
            return flashBytes - helperFlashBytes;
        }

        /** @return the stack {@code edgeloop_predict} needs: {@code frameBytes + helperStackBytes} */
        public long stackBytes() {
            return frameBytes + helperStackBytes;
        }

        /** @return {@code staticRamBytes + stackBytes()} */
        public long ramBytes() {
            return staticRamBytes + stackBytes();
        }
    }

    /**
     * Stack of the libgcc helpers the generated code may call on ARM, measured from their code in
     * arm-none-eabi-gcc 12's {@code thumb/v6-m} libgcc: {@code __aeabi_lmul} (64-bit multiply; Cortex-M0 has no
     * {@code umull}) pushes five registers and then two more (28 bytes); the 64-bit shifts are leaves that push
     * nothing. Cortex-M3/M4F build the same arithmetic inline and call none of them.
     */
    private static final java.util.Map<String, Long> ARM_HELPERS = java.util.Map.of(
            "__aeabi_lmul", 28L, "__aeabi_llsl", 0L, "__aeabi_llsr", 0L, "__aeabi_lasr", 0L);
    /** Bound for an ARM helper not in {@link #ARM_HELPERS}: more than any libgcc arithmetic helper pushes. */
    static final long ARM_UNKNOWN_HELPER_BOUND = 64;
    /**
     * Bound for avr-gcc's run-time helpers (64-bit add, compare, shifts and multiplies): the deepest,
     * {@code __muldi3}, pushes 10 registers and calls two levels further, each call pushing a 2-byte return
     * address; 32 bytes covers that chain and the call into {@code edgeloop_predict} itself. A bound read from
     * avr-gcc 5.4's libgcc code, not measured in the simulator.
     */
    static final long AVR_HELPER_BOUND = 32;
    /**
     * Without the compiler: the locals and saved registers of {@code edgeloop_predict} beside its activation
     * arrays (measured with arm-none-eabi-gcc -Os: 32 to 88 bytes for int8 to int32 networks), rounded up.
     */
    public static final long ESTIMATED_FRAME_OVERHEAD = 128;

    /**
     * The stack of the run-time helpers a compiled {@code model.c} calls, which the compiler's
     * {@code -fstack-usage} does not count (they are library code): on ARM the largest frame among those it calls
     * ({@link #ARM_HELPERS}; an unknown one counts {@value #ARM_UNKNOWN_HELPER_BOUND}), on AVR
     * {@value #AVR_HELPER_BOUND} bytes when it calls any, on the host 0 (the host has 64-bit arithmetic).
     *
     * @param called the undefined symbols of {@code model.o}
     * @return the bytes to add to the frames
     */
    public long helperStackBytes(java.util.Collection<String> called) {
        long max = 0;
        for (String h : called) {
            switch (core) {
                case HOST:
                    break;
                case AVR:
                    max = Math.max(max, AVR_HELPER_BOUND);
                    break;
                default:
                    max = Math.max(max, ARM_HELPERS.getOrDefault(h, ARM_UNKNOWN_HELPER_BOUND));
            }
        }
        return max;
    }

    /**
     * The helper stack assumed when the compiler is not installed: whatever the code would call.
     *
     * @return the largest helper stack of this toolchain
     */
    public long helperStackBound() {
        switch (core) {
            case HOST:
                return 0;
            case AVR:
                return AVR_HELPER_BOUND;
            default:
                return ARM_HELPERS.values().stream().mapToLong(Long::longValue).max().orElse(0);
        }
    }

    /** @return the symbol lister beside the compiler ({@code nm}, {@code avr-nm}, {@code arm-none-eabi-nm}) */
    private String nm() {
        return size.substring(0, size.length() - "size".length()) + "nm";
    }

    /** @return whether the compiler is installed */
    public boolean available() {
        return onPath(compiler) && onPath(size);
    }

    /**
     * Whether a command is an executable file in one of the {@code PATH} directories (the tools quantize and the
     * parity harness look for: compilers, {@code simavr}, {@code qemu-system-arm}).
     *
     * @param cmd the command's file name
     * @return true when some {@code PATH} directory holds it executable; false without a {@code PATH}
     */
    public static boolean onPath(String cmd) {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String d : path.split(java.io.File.pathSeparator)) {
            if (Files.isExecutable(Path.of(d, cmd))) {
                return true;
            }
        }
        return false;
    }

    /**
     * Measured code size of {@code model.c}: flash is text + data plus the run-time helpers it links in, RAM is data + bss + the stack the compiler
     * reports for every function ({@code -fstack-usage}, a conservative sum).
     *
     * @param dir a directory holding {@code model.h} and {@code model.c}
     * @return {@code {flashBytes, ramBytes}}, or empty when the toolchain is missing
     * @throws IOException              when compilation fails
     * @throws IllegalArgumentException when avr-gcc does not know the AVR profile's MCU (its hardware variant)
     */
    public Optional<long[]> measure(Path dir) throws IOException {
        return measureDetailed(dir).map(m -> new long[] {m.flashBytes(), m.ramBytes()});
    }

    /**
     * Measured sizes of {@code model.c}: flash is text + data plus, on a device toolchain, the run-time helpers
     * linking it pulls in (measured by linking it with a stub {@code main}); RAM is data + bss + the stack: the frames the
     * compiler reports for every function ({@code -fstack-usage}, summed, a conservative bound on the deepest
     * chain) plus the run-time helpers it calls ({@link #helperStackBytes}, found with {@code nm}).
     *
     * @param dir a directory holding {@code model.h} and {@code model.c}
     * @return the sizes, or empty when the toolchain is missing
     * @throws IOException              when compilation fails
     * @throws IllegalArgumentException when avr-gcc does not know the AVR profile's MCU (its hardware variant)
     */
    public Optional<Measurement> measureDetailed(Path dir) throws IOException {
        if (!available()) {
            return Optional.empty();
        }
        List<String> cmd = new ArrayList<>();
        cmd.add(compiler);
        cmd.addAll(flags);
        cmd.addAll(List.of("-std=c99", "-Wall", "-Wextra", "-Werror", "-fstack-usage", "-c", "model.c", "-o", "model.o"));
        try {
            run(dir, cmd, 120);
        } catch (IOException e) {
            refuseUnknownMcu(e);
            throw e;
        }
        String out = run(dir, List.of(size, "model.o"), 60);
        String[] lines = out.trim().split("\n");
        String[] f = lines[lines.length - 1].trim().split("\\s+");
        long text = Long.parseLong(f[0]);
        long data = Long.parseLong(f[1]);
        long bss = Long.parseLong(f[2]);
        long stack = 0;
        List<String> frames = new ArrayList<>();
        Path su = dir.resolve("model.su");
        if (Files.exists(su)) {
            for (String l : Files.readAllLines(su)) {
                String[] p = l.split("\t");
                if (p.length >= 2) {
                    long bytes = Long.parseLong(p[1].trim());
                    stack += bytes;
                    String fn = p[0].substring(p[0].lastIndexOf(':') + 1);
                    frames.add(fn + " " + bytes + (p.length >= 3 && !p[2].trim().equals("static")
                            ? " (" + p[2].trim() + ")" : ""));
                }
            }
        }
        List<String> called = new ArrayList<>();
        long helpers;
        String helperText;
        if (onPath(nm())) {
            for (String l : run(dir, List.of(nm(), "-u", "model.o"), 60).split("\n")) {
                String t = l.trim();
                // avr-gcc marks an object with data or bss as needing its start-up copy and clear loops (run
                // before main, not called from model.c)
                if (t.startsWith("U ") && !t.equals("U __do_copy_data") && !t.equals("U __do_clear_bss")) {
                    called.add(t.substring(2).trim());
                }
            }
            helpers = helperStackBytes(called);
            helperText = called.isEmpty() ? "no run-time helpers called"
                    : "run-time helpers " + String.join(", ", called) + ": " + helpers + (core == CpuCore.AVR
                            ? " (documented bound for avr-gcc's helpers)" : " (documented frames)");
        } else {
            helpers = helperStackBound();
            helperText = nm() + " not installed: run-time helpers bounded at " + helpers;
        }
        String source = compiler + " -fstack-usage frames of model.c (" + String.join(", ", frames) + ") + "
                + helperText;
        String command = compiler + " " + String.join(" ", flags);
        if (core == CpuCore.HOST) {
            return Optional.of(new Measurement(text + data, data + bss, stack, helpers, source, 0,
                    command + ": model.o text + data " + (text + data) + " (the host links its run-time library "
                            + "dynamically)"));
        }
        LinkedHelpers linked = linkedHelpers(dir, text + data);
        return Optional.of(new Measurement(text + data + linked.bytes(), data + bss, stack, helpers, source,
                linked.bytes(), command + ": model.o text + data " + (text + data) + " + run-time helpers linked in "
                        + linked.bytes() + (linked.names().isEmpty() ? "" : " (" + String.join(", ", linked.names())
                        + ")") + ", measured as the image of model.o linked with a stub main minus the stub alone"));
    }

    /** The library code linking {@code model.o} adds: its bytes and the symbols it brings, with their sizes. */
    private record LinkedHelpers(long bytes, List<String> names) {
    }

    /** A {@code main} that keeps data and bss (so the start-up copy and clear loops are in both images). */
    private static final String STUB = "volatile unsigned char edgeloop_size_stub_data = 1;\n"
            + "volatile unsigned char edgeloop_size_stub_bss;\n"
            + "int main(void) { return edgeloop_size_stub_data + edgeloop_size_stub_bss; }\n";

    /**
     * Links {@code model.o} (in {@code dir}) with a stub {@code main} and the stub alone, and returns the difference
     * less {@code model.o}'s own bytes: the run-time helpers (libgcc's 64-bit multiply and shifts, avr-libc's
     * {@code memcpy_P}) that {@code edgeloop_predict} pulls into a firmware. The AVR link lifts the part's flash
     * and RAM limits, so a model too large for the part is still measured (and reported as not fitting).
     */
    private LinkedHelpers linkedHelpers(Path dir, long modelBytes) throws IOException {
        Path work = Files.createTempDirectory(dir, "link");
        try {
            Files.writeString(work.resolve("stub.c"), STUB, StandardCharsets.UTF_8);
            List<String> link = new ArrayList<>();
            link.add(compiler);
            link.addAll(flags);
            if (core == CpuCore.AVR) {
                link.addAll(List.of("-Wl,--defsym=__TEXT_REGION_LENGTH__=0x100000",
                        "-Wl,--defsym=__DATA_REGION_LENGTH__=0xff00"));
            } else {
                link.add("--specs=nosys.specs");
            }
            List<String> base = new ArrayList<>(link);
            base.addAll(List.of("stub.c", "-o", "base.elf"));
            List<String> with = new ArrayList<>(link);
            with.addAll(List.of("stub.c", dir.resolve("model.o").toString(), "-o", "with.elf"));
            run(work, base, 120);
            run(work, with, 120);
            long grown = imageBytes(work, "with.elf") - imageBytes(work, "base.elf");
            long bytes = Math.max(0, grown - modelBytes);
            List<String> names = new ArrayList<>();
            if (bytes > 0 && onPath(nm())) {
                java.util.Set<String> known = new java.util.HashSet<>();
                known.addAll(symbols(work, "base.elf", false).keySet());
                known.addAll(symbols(dir, "model.o", false).keySet());
                symbols(work, "with.elf", true).forEach((name, size) -> {
                    if (!known.contains(name)) {
                        names.add(name + (size > 0 ? " " + size : ""));
                    }
                });
            }
            if (bytes > 0 && names.isEmpty()) {
                names.add("alignment padding");
            }
            return new LinkedHelpers(bytes, names);
        } finally {
            deleteQuietly(work);
        }
    }

    /** text + data of a linked image. */
    private long imageBytes(Path dir, String elf) throws IOException {
        String[] lines = run(dir, List.of(size, elf), 60).trim().split("\n");
        String[] f = lines[lines.length - 1].trim().split("\\s+");
        return Long.parseLong(f[0]) + Long.parseLong(f[1]);
    }

    /**
     * Defined symbols of an object or image (code symbols only, or all), by name, with their sizes (0 when
     * {@code nm} knows none).
     */
    private java.util.Map<String, Long> symbols(Path dir, String file, boolean codeOnly) throws IOException {
        java.util.Map<String, Long> out = new java.util.TreeMap<>();
        for (String l : run(dir, List.of(nm(), "-S", "--defined-only", file), 60).split("\n")) {
            String[] p = l.trim().split("\\s+");
            // "addr size type name" or, without a size, "addr type name"
            if (p.length == 4 && (!codeOnly || "TtWw".contains(p[2]))) {
                out.put(p[3], Long.parseLong(p[1], 16));
            } else if (p.length == 3 && (!codeOnly || "TtWw".contains(p[1]))) {
                out.put(p[2], 0L);
            }
        }
        return out;
    }

    /** Bytes of the largest object avr-gcc accepts: its {@code size_t}/{@code ptrdiff_t} are 16 bits. */
    public static final long AVR_OBJECT_LIMIT = 32767;

    private static final Pattern TABLE = Pattern.compile(
            "^static const (u?int(?:8|16|32|64)_t) ([A-Za-z_][A-Za-z0-9_]*)\\[(\\d+)\\] EL_ROM", Pattern.MULTILINE);

    /**
     * The first constant table of generated {@code model.c} source that this toolchain's compiler cannot hold in
     * one object (avr-gcc: more than {@value #AVR_OBJECT_LIMIT} bytes, where it stops with "size of array is too
     * large"); other toolchains have no such limit.
     *
     * @param source generated {@code model.c} source
     * @return a one-line reason naming the table, its size and the limit, or empty when every table fits
     */
    public Optional<String> objectLimitProblem(String source) {
        if (core != CpuCore.AVR) {
            return Optional.empty();
        }
        Matcher m = TABLE.matcher(source);
        while (m.find()) {
            int width = Integer.parseInt(m.group(1).replaceAll("\\D", "")) / 8;
            long bytes = Long.parseLong(m.group(3)) * width;
            if (bytes > AVR_OBJECT_LIMIT) {
                return Optional.of("table " + m.group(2) + " of model.c is " + bytes + " bytes, over avr-gcc's "
                        + AVR_OBJECT_LIMIT + "-byte limit for one object (16-bit size_t)");
            }
        }
        return Optional.empty();
    }

    /**
     * Runs a command in a directory and returns its standard output.
     *
     * @param dir            the working directory
     * @param cmd            the command
     * @param timeoutSeconds the time limit
     * @return standard output (standard error merged)
     * @throws IOException when it fails, times out or exits non-zero (the message includes its output)
     */
    public static String run(Path dir, List<String> cmd, long timeoutSeconds) throws IOException {
        return run(dir, cmd, timeoutSeconds, null, 0);
    }

    /**
     * Runs a simulated (or native) device program that must answer early: when its output does not contain
     * {@code answer} within {@code answerSeconds}, the device is taken to hang (a model that reads its tables
     * where they are not, a fault handler spinning) and the run is stopped then, instead of at the full limit.
     *
     * @param dir            the working directory
     * @param cmd            the command
     * @param timeoutSeconds the time limit for the whole run
     * @param answer         text the output must contain by {@code answerSeconds}, or {@code null} for no such check
     * @param answerSeconds  the time allowed for the first answer
     * @return standard output (standard error merged)
     * @throws IOException when it fails, does not answer in time, times out or exits non-zero (the message says
     *                     which, with the output's tail)
     */
    public static String run(Path dir, List<String> cmd, long timeoutSeconds, String answer, long answerSeconds)
            throws IOException {
        // The output goes to a file (a pipe would need a reader thread to poll for the answer) in a scratch directory:
        // deleted when the command ends or fails, and by the shutdown hook on Ctrl-C or SIGTERM, where a finally block
        // does not run (interrupted quantize and parity runs left edgeloop-cmd*.log files in /tmp).
        try (ScratchDirectory logs = ScratchDirectory.createTemp("edgeloop-cmd")) {
            Path log = logs.path().resolve("output.log");
            Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).start();
            boolean done;
            try {
                done = false;
                long start = System.nanoTime();
                long limit = TimeUnit.SECONDS.toNanos(timeoutSeconds);
                boolean answered = answer == null || answerSeconds >= timeoutSeconds;
                while (!done) {
                    long elapsed = System.nanoTime() - start;
                    if (elapsed >= limit) {
                        break;
                    }
                    long step = answered ? limit - elapsed
                            : Math.max(1, Math.min(limit, TimeUnit.SECONDS.toNanos(answerSeconds)) - elapsed);
                    done = p.waitFor(step, TimeUnit.NANOSECONDS);
                    if (!done && !answered && System.nanoTime() - start >= TimeUnit.SECONDS.toNanos(answerSeconds)) {
                        answered = Files.readString(log, StandardCharsets.UTF_8).contains(answer);
                        if (!answered) {
                            p.destroyForcibly();
                            p.waitFor(10, TimeUnit.SECONDS);
                            throw new IOException(cmd.get(0) + ": the device gave no answer within " + answerSeconds
                                    + " s (no output after its first inference), so it was stopped: "
                                    + tail(Files.readString(log, StandardCharsets.UTF_8)).trim());
                        }
                    }
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
                throw new IOException("Interrupted while running " + cmd.get(0), e);
            }
            String out = Files.readString(log, StandardCharsets.UTF_8);
            if (!done) {
                p.destroyForcibly();
                throw new IOException(cmd.get(0) + " timed out after " + timeoutSeconds + " s: " + tail(out));
            }
            if (p.exitValue() != 0) {
                throw new IOException(String.join(" ", cmd) + " failed with exit code " + p.exitValue() + ": " + tail(out));
            }
            return out;
        }
    }

    /**
     * An unknown MCU as what it is: avr-gcc 5 and later say "device-specs/specs-atmega9999: No such file or
     * directory", earlier ones "unknown MCU 'atmega9999' specified"; either read as a broken generated program.
     */
    private void refuseUnknownMcu(IOException e) {
        String m = e.getMessage();
        if (mcu != null && m != null && (m.contains("specs-" + mcu + ": No such file")
                || m.contains("unknown MCU '" + mcu + "'"))) {
            throw new IllegalArgumentException("avr-gcc does not know MCU " + mcu + " (" + mcuSource
                    + "); avr-gcc --target-help lists the MCUs it knows", e);
        }
    }

    private static String tail(String s) {
        return s.length() > 2000 ? s.substring(s.length() - 2000) : s;
    }

    /**
     * Deletes a directory tree, ignoring failures (for temporary build directories).
     *
     * @param dir the directory
     */
    public static void deleteQuietly(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // best effort cleanup of a temporary directory
        }
    }
}

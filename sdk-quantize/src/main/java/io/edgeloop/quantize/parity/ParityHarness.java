package io.edgeloop.quantize.parity;

import io.edgeloop.api.target.CpuCore;
import io.edgeloop.api.target.TargetProfile;
import io.edgeloop.quantize.codegen.CCodeGenerator;
import io.edgeloop.quantize.codegen.GeneratedSources;
import io.edgeloop.quantize.codegen.Toolchain;
import io.edgeloop.quantize.runtime.IntModel;
import io.edgeloop.quantize.runtime.ScratchDirectory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Compiles a model's generated C code with a test-vector driver for a {@link ParityTarget}, runs it (natively,
 * in simavr or in qemu) and compares its outputs with the Java runtime bit for bit.
 *
 * <p>The driver runs edge vectors from a table, then generates pseudo-random vectors on the device with
 * xorshift32 ({@link TestVectors}), then for tree ensembles sweeps every split threshold {@code T} and
 * {@code T +/- 1} on its feature along the split's own path ({@link TestVectors#thresholdSweep}), folds every
 * output into an FNV-1a hash and prints a sample of outputs; the Java side reproduces the vectors, the hash and
 * the samples. When the hashes differ only the sampled vectors are compared one by one, so the mismatch count is
 * then a lower bound. On AVR it also counts CPU cycles per inference with Timer1 (simavr is cycle-accurate).
 *
 * <p>The sweep tables of one device image are capped to a flash budget (by default 4 KiB on AVR, 8 KiB on
 * Cortex-M0, 32 KiB elsewhere); a sweep that does not fit runs in further device runs of sweep vectors only,
 * each starting its hash where the previous run's device hash ended, so every split is still covered and the
 * final device hash covers every vector of every run.
 *
 * <p>Sampled outputs are printed in short self-describing lines ({@code S <vector> <first output> <up to 8
 * values> #}), and simavr's output is reassembled before parsing ({@link #deviceOutput}): simavr cuts UART lines
 * at 256 characters, and a cut line must never be read as a different output.
 *
 * <p>On AVR the test image is built for the ATmega328P; when it does not fit there (the driver's tables and
 * {@code printf} come on top of the model), the same sources are built for and simulated on the ATmega2560 (same
 * AVR core, 256 KiB flash, 8 KiB RAM), and {@link ParityResult#simulatedMcu()} says so. Flash and RAM figures are
 * always those of {@code model.c} alone built for the target profile (the ATmega328P). An AVR image whose model or
 * driver tables end past 64 KiB, which {@code pgm_read_*} cannot reach, is refused before simulating, and so is a
 * model with a table over avr-gcc's 32,767-byte object limit. Cortex-M images are built with the size report's
 * flags ({@link Toolchain#flags()}).
 *
 * <p>Every device run must print its first answer within {@value #FIRST_ANSWER_SECONDS} s (a line after its first
 * inference); a silent device is stopped then with an error saying so, not at the run's full time limit.
 *
 * <p>Thread-safe: immutable; each run uses its own temporary directory.
 */
public final class ParityHarness {
    /**
     * One chunk of a sampled vector's outputs: {@code S <vector> <first output index> <values...> #}. A chunk holds
     * at most {@value #CHUNK} values, so a line stays far below simavr's 256-character UART buffer; the closing
     * {@code #} proves the line was not cut.
     */
    private static final Pattern SAMPLE = Pattern.compile("^S (\\d+) (\\d+)((?: -?\\d+)+) #\\.?$", Pattern.MULTILINE);
    /** Values per sample line. */
    static final int CHUNK = 8;
    /** simavr 1.6 flushes its UART line buffer every 256 characters even without a newline. */
    static final int SIMAVR_LINE = 256;
    private static final Pattern HASH = Pattern.compile("H (\\d+) (\\d+)");
    private static final Pattern CYCLES = Pattern.compile("C (\\d+) (\\d+)");
    private static final int SAMPLES = 32;
    /** Inferences timed per run: the first ones of the run. */
    static final int TIMED_INFERENCES = 1000;
    private static final List<String> WARN = List.of("-std=c99", "-Wall", "-Wextra", "-Werror");
    /** Timer1 counting CPU cycles, with overflows, on AVR: {@code now()} reads it. */
    private static final String AVR_TIMER = "static volatile uint32_t overflows;\nISR(TIMER1_OVF_vect)\n{\n"
            + "    overflows++;\n}\n"
            + "static __attribute__((unused)) uint32_t now(void)\n{\n    uint8_t s = SREG;\n    uint16_t t;\n"
            + "    uint32_t o;\n    cli();\n    t = TCNT1;\n    o = overflows;\n"
            + "    if ((TIFR1 & _BV(TOV1)) && t < 32768u) {\n        o++;\n    }\n"
            + "    SREG = s;\n    return (o << 16) | (uint32_t)t;\n}\n";
    /** Starts Timer1 at the CPU clock with its overflow interrupt (the UART transmitter is enabled before). */
    private static final String AVR_TIMER_START = "    TCCR1A = 0;\n    TCCR1B = _BV(CS10);\n"
            + "    TIMSK1 = _BV(TOIE1);\n    sei();\n";
    /** One inference, its cycles added up for the first {@value #TIMED_INFERENCES}. */
    private static final String AVR_TIMED_PREDICT = "        {\n            uint32_t t0 = now();\n"
            + "            edgeloop_predict(in, out);\n            if (timed < " + TIMED_INFERENCES + "u) {\n"
            + "                cycles += now() - t0;\n                timed++;\n            }\n        }\n";
    /** The AVR part that sizes are reported for and that parity runs on when the test image fits. */
    static final String AVR_MCU = "atmega328p";
    /**
     * The AVR parts the test driver runs on: it writes its results to USART0 ({@code UDR0}, {@code UCSR0A},
     * {@code UCSR0B}) and counts cycles with the 16-bit Timer1 and its overflow interrupt ({@code TCNT1},
     * {@code TCCR1A/B}, {@code TIMSK1}, {@code TIFR1}). These are the parts simavr 1.6 simulates for which avr-gcc 5.4
     * and avr-libc 2.0 define all of them (checked by compiling a probe of every name for every part simavr lists,
     * then running an int8 MLP's parity on each: 0 mismatches in 300 vectors, the atmega48s after the fall-back to
     * the {@value #AVR_LARGE_MCU}); the others (attiny13, attiny85, atmega8, atmega16, atmega32u4, ...) made avr-gcc
     * print pages of errors.
     */
    static final List<String> AVR_DRIVER_PARTS = List.of("atmega48", "atmega48p", "atmega48pa", "atmega88",
            "atmega88p", "atmega88pa", "atmega164p", "atmega164pa", "atmega168", "atmega168p", "atmega168pa",
            "atmega324a", "atmega324p", "atmega324pa", "atmega328", "atmega328p", "atmega644", "atmega644p",
            "atmega1280", "atmega1281", "atmega1284", "atmega1284p", "atmega128rfa1", "atmega128rfr2", "atmega2560");
    /** The AVR part that parity runs on when the test image does not fit the {@value #AVR_MCU}. */
    static final String AVR_LARGE_MCU = "atmega2560";
    /** Most sweep-table flash of one ATmega2560 image (after a fall-back from the ATmega328P). */
    private static final int LARGE_AVR_SWEEP_BUDGET = 32768;
    /** Flash kept free below 64 KiB for the driver's own PROGMEM (vector table, strings, the edge table). */
    private static final int LARGE_AVR_RESERVE = 8192;
    /** The reach of {@code pgm_read_*}: PROGMEM at or above this address cannot be read with near reads. */
    static final long AVR_NEAR_LIMIT = 0x10000;
    /**
     * Seconds a device run may take to print its first answer (the line after its first inference): a device that
     * never answers, such as a model reading its tables where they are not, is stopped then, not at the full limit.
     */
    public static final long FIRST_ANSWER_SECONDS = 60;
    /** The line the driver prints after its first inference. */
    static final String FIRST_ANSWER = "EDGELOOP-FIRST";
    private static final Pattern NM_LINE = Pattern.compile(
            "^([0-9a-fA-F]+) ([0-9a-fA-F]+) [a-zA-Z] (T_[A-Z]+|L\\d+_[WBMS]|EDGE|BASE|SWN|SWF|SWV)$", Pattern.MULTILINE);

    private final long timeoutSeconds;
    private final int sweepBudget;
    private final boolean largeAvr;

    /** Creates a harness with a 600 s limit per run. */
    public ParityHarness() {
        this(600);
    }

    /**
     * @param timeoutSeconds limit for each compile and run
     */
    public ParityHarness(long timeoutSeconds) {
        this(timeoutSeconds, 0);
    }

    /**
     * @param timeoutSeconds   limit for each compile and run
     * @param sweepBudgetBytes flash for the threshold-sweep tables of one device image, or 0 for the target's
     *                         default (4 KiB on AVR, 8 KiB on Cortex-M0, 32 KiB elsewhere)
     */
    public ParityHarness(long timeoutSeconds, int sweepBudgetBytes) {
        this(timeoutSeconds, sweepBudgetBytes, false);
    }

    /**
     * @param timeoutSeconds   limit for each compile and run
     * @param sweepBudgetBytes as {@link #ParityHarness(long, int)}
     * @param largeAvr         true to run avr8 parity on the {@value #AVR_LARGE_MCU} as after a fall-back even
     *                         when the image fits the {@value #AVR_MCU} (tests compare both parts on one model)
     */
    ParityHarness(long timeoutSeconds, int sweepBudgetBytes, boolean largeAvr) {
        if (sweepBudgetBytes < 0) {
            throw new IllegalArgumentException("sweep budget must not be negative, got " + sweepBudgetBytes);
        }
        this.timeoutSeconds = timeoutSeconds;
        this.sweepBudget = sweepBudgetBytes;
        this.largeAvr = largeAvr;
    }

    /**
     * Splits a threshold sweep into the batches that each fit one device image's sweep budget (at least one entry
     * per batch).
     *
     * @param sweep       the sweep ({@link TestVectors#thresholdSweep})
     * @param inputBytes  bytes of one input value on the device
     * @param budgetBytes flash for one image's sweep tables
     * @return the batches, in order (none for an empty sweep)
     */
    public static List<int[][]> sweepBatches(List<int[]> sweep, int inputBytes, int budgetBytes) {
        List<int[][]> out = new ArrayList<>();
        List<int[]> cur = new ArrayList<>();
        long used = 0;
        for (int[] e : sweep) {
            long cost = 2L + (long) (e.length / 2) * (2 + inputBytes);
            if (!cur.isEmpty() && used + cost > budgetBytes) {
                out.add(cur.toArray(new int[0][]));
                cur = new ArrayList<>();
                used = 0;
            }
            cur.add(e);
            used += cost;
        }
        if (!cur.isEmpty()) {
            out.add(cur.toArray(new int[0][]));
        }
        return out;
    }

    private int budget(ParityTarget target) {
        if (sweepBudget > 0) {
            return sweepBudget;
        }
        return target == ParityTarget.AVR8 ? 4096 : target == ParityTarget.CORTEX_M0 ? 8192 : 32768;
    }

    /**
     * @param target the target
     * @return the tools missing to run it (empty when it can run)
     */
    public static List<String> missingTools(ParityTarget target) {
        List<String> need = new ArrayList<>();
        switch (target) {
            case HOST:
                need.add("gcc");
                break;
            case AVR8:
                need.addAll(List.of("avr-gcc", "avr-size", "avr-nm", "simavr"));
                break;
            default:
                need.addAll(List.of("arm-none-eabi-gcc", "arm-none-eabi-size", "qemu-system-arm"));
        }
        need.removeIf(Toolchain::onPath);
        return need;
    }

    /**
     * Runs {@code vectors} vectors of {@code model} on {@code target}.
     *
     * @param model   the integer model
     * @param target  the target
     * @param vectors how many vectors (edges first, then random)
     * @param seed    the xorshift32 seed
     * @return the result
     * @throws IOException when a tool is missing, compilation fails or the device output cannot be parsed
     */
    public ParityResult run(IntModel model, ParityTarget target, int vectors, long seed) throws IOException {
        Objects.requireNonNull(model, "model");
        return run(model, new CCodeGenerator().generate(model, profile(target)), target, vectors, seed);
    }

    /**
     * Runs {@code vectors} vectors of the given C sources (such as the {@code model.h}/{@code model.c} shipped in a
     * quantized-model directory) on {@code target} against the Java runtime of {@code model}.
     *
     * @param model   the integer model the sources should implement
     * @param sources the C sources to compile
     * @param target  the target
     * @param vectors how many vectors (edges first, then random)
     * @param seed    the xorshift32 seed
     * @return the result
     * @throws IOException when a tool is missing, compilation fails or the device output cannot be parsed
     */
    public ParityResult run(IntModel model, GeneratedSources sources, ParityTarget target, int vectors, long seed)
            throws IOException {
        return run(model, sources, target, profile(target), vectors, seed);
    }

    /**
     * Runs {@code vectors} vectors of the given C sources built for a target profile, built-in or a board of one's
     * own, on the emulator of its core ({@link ParityTarget#forCore}): on AVR simavr with the profile's hardware
     * variant as the part ({@code -mmcu}, {@code simavr -m}), on Cortex-M0/M0+ qemu {@code microbit}, on M3
     * {@code mps2-an385}, on M4F {@code mps2-an386}, on the host natively. The result's {@code target} is the
     * profile's id and its {@code simulatedMcu} the part or machine it ran on.
     *
     * @param model   the integer model the sources should implement
     * @param sources the C sources to compile
     * @param profile the target profile (its toolchain flags build the image, as for the size report)
     * @param vectors how many vectors (edges first, then random)
     * @param seed    the xorshift32 seed
     * @return the result
     * @throws IOException when a tool is missing, simavr does not simulate the board's part or the test driver does
     *                     not run on it ({@code AVR_DRIVER_PARTS}: it needs USART0 and Timer1; refused before any
     *                     compiler runs), compilation fails or the device output cannot be parsed
     */
    public ParityResult run(IntModel model, GeneratedSources sources, TargetProfile profile, int vectors, long seed)
            throws IOException {
        Objects.requireNonNull(profile, "profile");
        ParityTarget target = ParityTarget.forCore(profile.core());
        if (profile.core() == CpuCore.AVR && !profile.hardwareVariant().equals(AVR_MCU)) {
            List<String> cores = simavrCores();
            if (!cores.isEmpty() && !cores.contains(profile.hardwareVariant())) {
                throw new IOException("Cannot run parity for " + profile.id() + ": simavr does not simulate its part "
                        + profile.hardwareVariant() + " (simavr --list-cores); its cores include atmega2560, "
                        + "atmega1280, atmega644p, atmega328p");
            }
            if (!AVR_DRIVER_PARTS.contains(profile.hardwareVariant())) {
                throw new IOException("Cannot run parity for " + profile.id() + ": the test driver needs USART0 (UDR0, "
                        + "UCSR0A, UCSR0B) and Timer1 with its overflow interrupt (TCNT1, TIMSK1, TIFR1), which the "
                        + profile.hardwareVariant() + " does not have as avr-libc names them; it runs on "
                        + String.join(", ", AVR_DRIVER_PARTS) + " (avr8 is the atmega328p: the same AVR core, for the "
                        + "model's arithmetic)");
            }
        }
        return run(model, sources, target, profile, vectors, seed);
    }

    private ParityResult run(IntModel model, GeneratedSources sources, ParityTarget target, TargetProfile profile,
            int vectors, long seed) throws IOException {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(sources, "sources");
        if (vectors < 1) {
            throw new IllegalArgumentException("vectors must be positive, got " + vectors);
        }
        List<String> missing = missingTools(target);
        if (!missing.isEmpty()) {
            throw new IOException("Cannot run parity on " + target.id() + ": missing " + String.join(", ", missing)
                    + " (install with scripts/install-test-deps.sh)");
        }
        Toolchain toolchain = Toolchain.forProfile(profile);
        Optional<String> tooLarge = toolchain.objectLimitProblem(sources.source());
        if (tooLarge.isPresent()) {
            throw new IOException("Cannot run parity on " + profile.id() + ": " + tooLarge.get()
                    + "; the model does not fit " + profile.id() + " (quantize reports it as fits: false)");
        }
        int inputBytes = model.input().max() <= Byte.MAX_VALUE ? 1 : model.input().max() <= Short.MAX_VALUE ? 2 : 4;
        int edgeLimit = (int) Math.max(3, Math.min(64, 4096 / ((long) model.inputSize() * inputBytes)));
        int[][] edges = TestVectors.edges(model, Math.min(vectors, edgeLimit)).toArray(new int[0][]);
        List<int[][]> batches = sweepBatches(TestVectors.thresholdSweep(model), inputBytes, budget(target));
        int[][] sweep0 = batches.isEmpty() ? new int[0][] : batches.get(0);
        int every = Math.max(1, vectors / SAMPLES);
        long[] range = TestVectors.randomRange(model.input());
        String home = machine(target, profile);
        // deleted when the run ends or fails, and by the shutdown hook on Ctrl-C or SIGTERM
        try (ScratchDirectory scratch = ScratchDirectory.createTemp("edgeloop-parity-" + target.id())) {
            Path dir = scratch.path();
            Files.writeString(dir.resolve("model.h"), sources.header(), StandardCharsets.UTF_8);
            Files.writeString(dir.resolve("model.c"), sources.source(), StandardCharsets.UTF_8);
            writeDriver(dir,
                    driver(model, target, edges, sweep0, vectors, seed, every, range, TestVectors.FNV_OFFSET));
            long[] size = toolchain.measure(dir).orElse(new long[] {-1, -1});
            String[] mcu = {largeAvr && target == ParityTarget.AVR8 ? AVR_LARGE_MCU : home};
            String out = buildAndRun(dir, target, toolchain, home, mcu);
            ParityResult first = compare(model, target, profile.id(), out, edges, sweep0, vectors, seed, every, range,
                    size, home);
            if (!mcu[0].equals(home) && sweepBudget == 0 && batches.size() > 1) {
                // The ATmega2560 holds far larger sweep tables: fewer, larger images for the rest of the sweep. All
                // PROGMEM must stay below 64 KiB, where pgm_read_* reaches, and the model's own tables sit there
                // too: a fixed 32 KiB of sweep beside a 33 KB model put the model's tables past 64 KiB, and the
                // device read garbage (false mismatches).
                List<int[]> rest = new ArrayList<>();
                for (int k = 1; k < batches.size(); k++) {
                    rest.addAll(List.of(batches.get(k)));
                }
                List<int[][]> again = new ArrayList<>();
                again.add(sweep0);
                again.addAll(sweepBatches(rest, inputBytes, largeAvrSweepBudget(size[0])));
                batches = again;
            }
            int[] base = TestVectors.base(model);
            long deviceHash = first.deviceHash();
            int javaHash = (int) first.javaHash();
            int badRuns = 0;
            int swept = sweep0.length;
            for (int k = 1; k < batches.size(); k++) {
                int[][] batch = batches.get(k);
                // Each further run starts from the device's hash so far: the final device hash covers every run.
                writeDriver(dir, driver(model, target, new int[0][], batch, 0, seed, 1, range, (int) deviceHash));
                String more = strip(buildAndRun(dir, target, toolchain, home, mcu), target);
                Matcher hm = HASH.matcher(more);
                if (!hm.find()) {
                    throw new IOException("No hash line in the " + target.id() + " output of threshold-sweep run "
                            + (k + 1) + " of " + batches.size());
                }
                int expected = (int) deviceHash;
                for (int[] e : batch) {
                    int[] o = model.predict(TestVectors.apply(base, e));
                    expected = TestVectors.hash(expected, o);
                    javaHash = TestVectors.hash(javaHash, o);
                }
                long got = Long.parseLong(hm.group(2));
                if (Long.parseLong(hm.group(1)) != batch.length || got != Integer.toUnsignedLong(expected)) {
                    badRuns++;
                }
                deviceHash = got;
                swept += batch.length;
            }
            OptionalLong cycles = first.cyclesPerInference();
            OptionalLong largerPartCycles = OptionalLong.empty();
            if (target == ParityTarget.AVR8 && !mcu[0].equals(home)) {
                // Cycles counted on the ATmega2560 are not the ATmega328P's (3-byte program counter: slower calls,
                // returns and interrupts): count them on the 328P with a smaller image, or report none for it (a
                // board of one's own that fell back reports none for its part).
                largerPartCycles = cycles;
                cycles = OptionalLong.empty();
                Optional<Timing> t = home.equals(AVR_MCU) ? timeOnAvrMcu(model, dir, vectors, seed, range)
                        : Optional.empty();
                if (t.isPresent()) {
                    cycles = OptionalLong.of(t.get().cycles());
                    badRuns += t.get().matches() ? 0 : 1;
                }
            }
            long jh = Integer.toUnsignedLong(javaHash);
            int mismatches = first.mismatches() + badRuns;
            if (mismatches == 0 && deviceHash != jh) {
                mismatches = 1;
            }
            return new ParityResult(profile.id(), vectors, mismatches, deviceHash, jh, first.samplesCompared(),
                    first.flashBytes(), first.ramBytes(), cycles, swept, Math.max(1, batches.size()), mcu[0],
                    largerPartCycles);
        }
    }

    /**
     * Sweep-table bytes one ATmega2560 image may hold: at most {@value #LARGE_AVR_SWEEP_BUDGET}, and no more than
     * keeps the model's tables, the sweep table and the driver's {@value #LARGE_AVR_RESERVE} reserved bytes below
     * 64 KiB, the reach of {@code pgm_read_*}.
     *
     * @param modelFlash flash bytes of the model ({@code model.o}), or a negative number when unknown
     * @return the budget in bytes, at least 1024
     */
    static int largeAvrSweepBudget(long modelFlash) {
        long model = modelFlash < 0 ? LARGE_AVR_SWEEP_BUDGET : modelFlash;
        return (int) Math.max(1024, Math.min(LARGE_AVR_SWEEP_BUDGET, 65536 - model - LARGE_AVR_RESERVE));
    }

    /**
     * Undoes simavr's UART output formatting: strips the colour escapes around each line and joins the pieces of a
     * device line that simavr cut because it filled its {@value #SIMAVR_LINE}-character buffer (simavr prints a
     * device newline as {@code '.'} before its own newline, so a full-length piece without that final dot
     * continues on the next line). Output of other targets is returned as it is.
     *
     * @param out    the raw output
     * @param target the target it came from
     * @return the device's lines, one per line
     */
    static String deviceOutput(String out, ParityTarget target) {
        if (target != ParityTarget.AVR8) {
            return out;
        }
        String[] lines = out.replaceAll("\u001B\\[[0-9;]*m", "").split("\n", -1);
        StringBuilder b = new StringBuilder(out.length());
        for (int i = 0; i < lines.length; i++) {
            String l = lines[i];
            b.append(l);
            boolean cut = l.length() == SIMAVR_LINE && !l.endsWith(".") && i + 1 < lines.length;
            if (!cut && i + 1 < lines.length) {
                b.append('\n');
            }
        }
        return b.toString();
    }

    private static String strip(String out, ParityTarget target) throws IOException {
        String clean = deviceOutput(out, target);
        if (!clean.contains("EDGELOOP-DONE")) {
            throw new IOException("The " + target.id() + " run did not finish; output: "
                    + (clean.length() > 1500 ? clean.substring(clean.length() - 1500) : clean));
        }
        return clean;
    }

    /** @return what a run on {@code t} executes on first: the AVR part, the qemu machine, or {@code host} */
    private static String simulated(ParityTarget t) {
        switch (t) {
            case AVR8:
                return AVR_MCU;
            case CORTEX_M3:
                return "mps2-an385";
            case CORTEX_M0:
                return "microbit";
            case CORTEX_M4F:
                return "mps2-an386";
            default:
                return "host";
        }
    }

    /** @return what a run for {@code p} on {@code t} executes on first: on AVR the profile's part */
    private static String machine(ParityTarget t, TargetProfile p) {
        return t == ParityTarget.AVR8 ? p.hardwareVariant() : simulated(t);
    }

    /** @return the parts {@code simavr --list-cores} names (it exits 1 after listing them), or empty when unknown */
    private static List<String> simavrCores() {
        if (!Toolchain.onPath("simavr")) {
            return List.of();
        }
        try {
            Process p = new ProcessBuilder("simavr", "--list-cores").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor();
            List<String> cores = new ArrayList<>();
            for (String w : out.split("\\s+")) {
                if (w.matches("at[a-z0-9]+")) {
                    cores.add(w);
                }
            }
            return cores;
        } catch (IOException e) {
            return List.of(); // simavr's own error will name the part
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of();
        }
    }

    private static TargetProfile profile(ParityTarget t) {
        switch (t) {
            case AVR8:
                return TargetProfile.AVR8;
            case CORTEX_M3:
                return TargetProfile.CORTEX_M3;
            case CORTEX_M0:
                return TargetProfile.CORTEX_M0;
            case CORTEX_M4F:
                return TargetProfile.CORTEX_M4F;
            default:
                return TargetProfile.JVM;
        }
    }

    /**
     * The compiler flags of a Cortex-M test image: those of {@link Toolchain} for the target, so the image tested
     * is built as {@code report.json}'s {@code flashBytes} were measured (a different optimisation level would
     * test other machine code than the one sized).
     *
     * @param target a Cortex-M target
     * @return the target and optimisation flags
     */
    static List<String> imageFlags(ParityTarget target) {
        return Toolchain.forProfile(profile(target)).flags();
    }

    /**
     * Refuses, before simulating, an AVR image whose model or driver tables do not all lie below 64 KiB: on the
     * ATmega2560 fall-back {@code pgm_read_*} (near reads, 16-bit addresses) would read other bytes there, and the
     * device computed garbage or never returned (a tree walk through foreign links).
     */
    private static void checkNearProgmem(Path dir, String mcu) throws IOException {
        String nm = Toolchain.run(dir, List.of("avr-nm", "-S", "-n", "parity.elf"), 60);
        Matcher m = NM_LINE.matcher(nm);
        long end = 0;
        String last = null;
        while (m.find()) {
            long e = Long.parseLong(m.group(1), 16) + Long.parseLong(m.group(2), 16);
            if (e > end) {
                end = e;
                last = m.group(3);
            }
        }
        if (end > AVR_NEAR_LIMIT) {
            throw new IOException("Cannot run avr8 parity: on the " + mcu + " the PROGMEM tables of the model and the"
                    + " test driver end at 0x" + Long.toHexString(end) + " (" + last + "), beyond the 64 KiB that"
                    + " pgm_read_* reaches; the model is too large for avr8 (the ATmega328P has 32 KiB of flash):"
                    + " run parity on host or a Cortex-M target");
        }
    }

    /** The include guard of a generated header: {@code PREFIX_MODEL_H}. */
    private static final Pattern GUARD = Pattern.compile("^#ifndef ([A-Z][A-Z0-9_]*)_MODEL_H$", Pattern.MULTILINE);

    /**
     * Writes {@code driver.c} beside {@code dir/model.h}. The drivers call {@code edgeloop_predict} on
     * {@code edgeloop_input_t}; a header generated with another C prefix ({@code quantize --c-prefix occ}) gets
     * aliases for those two names, so {@code quantize parity} runs on such a directory's own files too.
     */
    private static void writeDriver(Path dir, String driver) throws IOException {
        Matcher g = GUARD.matcher(Files.readString(dir.resolve("model.h"), StandardCharsets.UTF_8));
        String prefix = g.find() ? g.group(1).toLowerCase(java.util.Locale.ROOT) : "edgeloop";
        String text = driver;
        if (!prefix.equals("edgeloop")) {
            text = driver.replace("#include \"model.h\"\n", "#include \"model.h\"\n#define edgeloop_input_t " + prefix
                    + "_input_t\n#define edgeloop_predict " + prefix + "_predict\n");
        }
        Files.writeString(dir.resolve("driver.c"), text, StandardCharsets.UTF_8);
    }

    /** Runs the built {@code parity.elf} in simavr at 16 MHz. */
    private String simavr(Path dir, String mcu) throws IOException {
        return Toolchain.run(dir, List.of("simavr", "-m", mcu, "-f", "16000000", "parity.elf"), timeoutSeconds,
                FIRST_ANSWER, FIRST_ANSWER_SECONDS);
    }

    /**
     * What a timing image measured on the {@value #AVR_MCU} after a fall-back.
     *
     * @param cycles  mean cycles per inference
     * @param matches whether the device's hash of all its outputs matched the Java runtime's
     */
    private record Timing(long cycles, boolean matches) {
    }

    /**
     * After the parity image fell back to the {@value #AVR_LARGE_MCU}: counts the cycles per inference on the
     * {@value #AVR_MCU} itself, with an image of the model and a driver without {@code printf} or vector tables
     * ({@link #timingDriver}) running up to {@value #TIMED_INFERENCES} random vectors. The larger part's 3-byte
     * program counter makes every call, return and interrupt slower, so its count is not the 328P's. The image's
     * outputs are hashed and checked too: it is the one run on the part the model is sized for.
     *
     * @return the timing, or empty when even this image does not fit the {@value #AVR_MCU}
     */
    private Optional<Timing> timeOnAvrMcu(IntModel model, Path dir, int vectors, long seed, long[] range)
            throws IOException {
        int count = Math.min(vectors, TIMED_INFERENCES);
        writeDriver(dir, timingDriver(model, count, seed, range));
        try {
            Toolchain.run(dir, avrBuild(AVR_MCU, WARN), timeoutSeconds);
        } catch (IOException e) {
            if (!doesNotFit(e.getMessage())) {
                throw e;
            }
            return Optional.empty();
        }
        String out = strip(simavr(dir, AVR_MCU), ParityTarget.AVR8);
        Matcher hm = HASH.matcher(out);
        Matcher cm = CYCLES.matcher(out);
        if (!hm.find() || !cm.find() || Long.parseLong(cm.group(2)) == 0) {
            throw new IOException("No hash or cycle line in the " + AVR_MCU + " timing run's output: " + out);
        }
        int[] st = {TestVectors.initialState(seed)};
        int h = TestVectors.FNV_OFFSET;
        int[] in = new int[model.inputSize()];
        for (int v = 0; v < count; v++) {
            TestVectors.random(st, range[0], range[1], in);
            h = TestVectors.hash(h, model.predict(in));
        }
        boolean matches = Long.parseLong(hm.group(1)) == count && Long.parseLong(hm.group(2)) == Integer.toUnsignedLong(h);
        return Optional.of(new Timing(Math.round((double) Long.parseLong(cm.group(1)) / Long.parseLong(cm.group(2))),
                matches));
    }

    /**
     * The {@value #AVR_MCU} timing image's driver: {@code count} xorshift32 vectors as the parity driver draws them
     * after its edge vectors, each inference timed as there, the outputs folded into the FNV-1a hash, and the
     * {@code H}, {@code C} and done lines written to the UART byte by byte: no {@code printf} (about 1.5 KB of
     * flash) and no tables, so it fits beside a model that nearly fills the part.
     */
    static String timingDriver(IntModel model, int count, long seed, long[] range) {
        StringBuilder b = new StringBuilder();
        b.append("/* Edgeloop cycle-count driver (generated). */\n#include <stdint.h>\n#include <avr/io.h>\n"
                + "#include <avr/interrupt.h>\n#include <avr/sleep.h>\n#include \"model.h\"\n"
                + "static void put(char c)\n{\n    loop_until_bit_is_set(UCSR0A, UDRE0);\n    UDR0 = (uint8_t)c;\n}\n"
                + "static void text(const char *s)\n{\n    while (*s != '\\0') {\n        put(*s++);\n    }\n}\n"
                + "static void number(uint32_t x)\n{\n    char d[10];\n    uint8_t n = 0;\n    do {\n"
                + "        d[n++] = (char)('0' + (int)(x % 10u));\n        x /= 10u;\n    } while (x != 0u);\n"
                + "    while (n > 0u) {\n        put(d[--n]);\n    }\n}\n").append(AVR_TIMER);
        b.append("static edgeloop_input_t in[").append(model.inputSize()).append("];\nstatic int32_t out[")
                .append(model.outputSize()).append("];\nint main(void)\n{\n    uint32_t st = UINT32_C(")
                .append(Integer.toUnsignedString(TestVectors.initialState(seed))).append(");\n    uint32_t h = UINT32_C(")
                .append(Integer.toUnsignedString(TestVectors.FNV_OFFSET)).append(");\n    uint32_t v = 0;\n"
                        + "    uint16_t i = 0;\n    uint8_t k = 0;\n    uint32_t cycles = 0;\n    uint32_t timed = 0;\n"
                        + "    UCSR0B = _BV(TXEN0);\n").append(AVR_TIMER_START);
        b.append("    for (v = 0; v < UINT32_C(").append(count).append("); v++) {\n        {\n");
        randomInput(b, model.inputSize(), range);
        b.append(AVR_TIMED_PREDICT).append(fold(model.outputSize()));
        b.append("        if (v == 0u) {\n            text(\"" + FIRST_ANSWER + "\\n\");\n        }\n    }\n");
        b.append("    text(\"H \");\n    number(v);\n    put(' ');\n    number(h);\n    text(\"\\nC \");\n"
                + "    number(cycles);\n    put(' ');\n    number(timed);\n    text(\"\\nEDGELOOP-DONE\\n\");\n"
                + "    cli();\n    sleep_enable();\n    sleep_cpu();\n    return 0;\n}\n");
        return b.toString();
    }

    private static List<String> avrBuild(String mcu, List<String> warn) {
        List<String> cmd = new ArrayList<>(List.of("avr-gcc", "-mmcu=" + mcu, "-Os"));
        cmd.addAll(warn);
        cmd.addAll(List.of("-o", "parity.elf", "driver.c", "model.c"));
        return cmd;
    }

    /** Whether a failed avr-gcc link says the image does not fit the part (flash or RAM). */
    static boolean doesNotFit(String message) {
        String m = String.valueOf(message);
        return m.contains("overflowed") || m.contains("is not within region");
    }

    /** The linker's region complaints from a failed build, on one line. */
    private static String linkerSummary(String message) {
        StringBuilder b = new StringBuilder();
        for (String line : String.valueOf(message).split("\n")) {
            if (line.contains("overflowed") || line.contains("is not within region")) {
                String t = line.replaceAll(".*?(ld|ld\\.exe): ", "").trim();
                if (b.indexOf(t) < 0) {
                    b.append(b.length() == 0 ? "" : "; ").append(t);
                }
            }
        }
        return b.length() == 0 ? "the linker refused it" : b.toString();
    }

    /**
     * @param mcu on AVR, the MCU to build for (in and out: switched to {@value #AVR_LARGE_MCU} when the test image
     *            overflows the {@value #AVR_MCU})
     */
    private String buildAndRun(Path dir, ParityTarget target, Toolchain toolchain, String home, String[] mcu)
            throws IOException {
        List<String> warn = WARN;
        List<String> cmd = new ArrayList<>();
        switch (target) {
            case HOST:
                cmd.addAll(List.of("gcc", "-O2"));
                cmd.addAll(warn);
                cmd.addAll(List.of("-o", "parity", "driver.c", "model.c"));
                Toolchain.run(dir, cmd, timeoutSeconds);
                return Toolchain.run(dir, List.of(dir.resolve("parity").toString()), timeoutSeconds, FIRST_ANSWER,
                        FIRST_ANSWER_SECONDS);
            case AVR8:
                if (mcu[0].equals(home)) {
                    try {
                        Toolchain.run(dir, avrBuild(home, warn), timeoutSeconds);
                    } catch (IOException e) {
                        if (!doesNotFit(e.getMessage()) || home.equals(AVR_LARGE_MCU)) {
                            throw e;
                        }
                        // The driver's vector tables and printf (flash), or the model's buffers and the caller's
                        // input/output arrays (RAM), do not fit beside the model: run the same code on the roomier
                        // ATmega2560 (same AVR core and int widths); sizes stay those of the 328P.
                        mcu[0] = AVR_LARGE_MCU;
                    }
                }
                if (!mcu[0].equals(home)) {
                    try {
                        Toolchain.run(dir, avrBuild(mcu[0], warn), timeoutSeconds);
                    } catch (IOException e) {
                        if (!doesNotFit(e.getMessage())) {
                            throw e;
                        }
                        throw new IOException("The avr8 parity image (model.c, the test driver and the caller's input "
                                + "and output arrays) does not fit the " + home + " nor the " + mcu[0]
                                + " (256 KiB flash, 8 KiB RAM): " + linkerSummary(e.getMessage()), e);
                    }
                }
                checkNearProgmem(dir, mcu[0]);
                return simavr(dir, mcu[0]);
            default:
                boolean m0 = target == ParityTarget.CORTEX_M0;
                Files.writeString(dir.resolve("startup.c"), ArmStartup.STARTUP, StandardCharsets.UTF_8);
                Files.writeString(dir.resolve("link.ld"), ArmStartup.linkerScript(m0 ? 16 : 64), StandardCharsets.UTF_8);
                cmd.add("arm-none-eabi-gcc");
                // The flags report.json's flashBytes come from (Toolchain, -Os): the image tested is the one sized.
                cmd.addAll(toolchain.flags());
                cmd.addAll(warn);
                cmd.addAll(List.of("-nostartfiles"));
                if (m0) {
                    cmd.add("--specs=nano.specs");
                }
                cmd.addAll(List.of("--specs=rdimon.specs", "-T", "link.ld", "-o", "parity.elf", "startup.c", "driver.c",
                        "model.c"));
                Toolchain.run(dir, cmd, timeoutSeconds);
                return Toolchain.run(dir, List.of("qemu-system-arm", "-M", simulated(target), "-nographic",
                        "-monitor", "none", "-serial", "none", "-semihosting-config", "enable=on,target=native",
                        "-kernel", "parity.elf"), timeoutSeconds, FIRST_ANSWER, FIRST_ANSWER_SECONDS);
        }
    }

    private static String lit64(long v) {
        return v == Long.MIN_VALUE ? "(-INT64_C(9223372036854775807) - 1)" : "INT64_C(" + v + ")";
    }

    private static String inputLiteral(int v) {
        return v == Integer.MIN_VALUE ? "(-2147483647 - 1)" : Integer.toString(v);
    }

    private static String driver(IntModel model, ParityTarget target, int[][] edges, int[][] sweep, int vectors,
            long seed, int every, long[] range, int hashStart) {
        StringBuilder b = new StringBuilder();
        b.append("/* Edgeloop parity driver (generated). */\n#include <stdint.h>\n#include <stdio.h>\n#include \"model.h\"\n");
        boolean avr = target == ParityTarget.AVR8;
        if (avr) {
            b.append("#include <avr/io.h>\n#include <avr/interrupt.h>\n#include <avr/sleep.h>\n#include <avr/pgmspace.h>\n"
                    + "#define DRV_ROM PROGMEM\n"
                    + "static int uart_putchar(char c, FILE *s)\n{\n    (void)s;\n"
                    + "    loop_until_bit_is_set(UCSR0A, UDRE0);\n    UDR0 = (uint8_t)c;\n    return 0;\n}\n"
                    + "static FILE uart_out = FDEV_SETUP_STREAM(uart_putchar, NULL, _FDEV_SETUP_WRITE);\n" + AVR_TIMER);
        } else {
            b.append("#include <string.h>\n#include <stdlib.h>\n#define DRV_ROM\n");
        }
        int n = model.inputSize();
        int no = model.outputSize();
        if (edges.length > 0) {
            b.append("static const edgeloop_input_t EDGE[").append(edges.length).append("][").append(n)
                    .append("] DRV_ROM = {\n");
            for (int[] e : edges) {
                b.append("    {");
                for (int i = 0; i < n; i++) {
                    b.append(i == 0 ? "" : ", ").append(e[i] == Integer.MIN_VALUE ? "(-2147483647 - 1)" : e[i] + "");
                }
                b.append("},\n");
            }
            b.append("};\n");
        }
        if (sweep.length > 0) {
            b.append("static const edgeloop_input_t BASE[").append(n).append("] DRV_ROM = {");
            int[] base = TestVectors.base(model);
            for (int i = 0; i < n; i++) {
                b.append(i == 0 ? "" : ", ").append(inputLiteral(base[i]));
            }
            // Sweep vector j = BASE with SWN[j] (feature, value) overrides taken in order from SWF/SWV.
            int total = 0;
            b.append("};\nstatic const uint16_t SWN[").append(sweep.length).append("] DRV_ROM = {");
            for (int j = 0; j < sweep.length; j++) {
                b.append(j % 16 == 0 ? "\n    " : " ").append(sweep[j].length / 2).append(j < sweep.length - 1 ? "," : "");
                total += sweep[j].length / 2;
            }
            StringBuilder f = new StringBuilder();
            StringBuilder v = new StringBuilder();
            int c = 0;
            for (int[] e : sweep) {
                for (int q = 0; q < e.length; q += 2, c++) {
                    f.append(c % 16 == 0 ? "\n    " : " ").append(e[q]).append(c < total - 1 ? "," : "");
                    v.append(c % 12 == 0 ? "\n    " : " ").append(inputLiteral(e[q + 1])).append(c < total - 1 ? "," : "");
                }
            }
            if (total == 0) {
                f.append(" 0");
                v.append(" 0");
            }
            b.append("\n};\nstatic const uint16_t SWF[").append(Math.max(1, total)).append("] DRV_ROM = {").append(f)
                    .append("\n};\nstatic const edgeloop_input_t SWV[").append(Math.max(1, total)).append("] DRV_ROM = {")
                    .append(v).append("\n};\n");
        }
        b.append("static edgeloop_input_t in[").append(n).append("];\nstatic int32_t out[").append(no).append("];\n");
        b.append("int main(void)\n{\n");
        if (vectors > 0) {
            b.append("    uint32_t st = UINT32_C(").append(Integer.toUnsignedString(TestVectors.initialState(seed)))
                    .append(");\n");
        }
        b.append("    uint32_t h = UINT32_C(").append(Integer.toUnsignedString(hashStart))
                .append(");\n    uint32_t v = 0;\n    uint16_t i = 0;\n    uint8_t k = 0;\n"
                        + "    uint32_t cycles = 0;\n    uint32_t timed = 0;\n    uint32_t j = 0;\n    uint32_t p = 0;\n"
                        + "    uint16_t q = 0;\n");
        if (avr) {
            b.append("    stdout = &uart_out;\n    UCSR0B = _BV(TXEN0);\n").append(AVR_TIMER_START);
        }
        String fold = fold(no);
        if (vectors > 0) {
            mainLoop(b, model, avr, edges, vectors, every, range, fold);
        }
        String first = "        if (j == 0u) {\n            printf(\"" + FIRST_ANSWER + "\\n\");\n"
                + "            fflush(stdout);\n        }\n";
        if (sweep.length > 0) {
            // Every tree threshold and its neighbours, each on its own split's path over the base vector.
            b.append("    for (j = 0; j < ").append(sweep.length).append("u; j++) {\n");
            if (avr) {
                b.append("        memcpy_P(in, BASE, sizeof in);\n"
                        + "        for (q = pgm_read_word(&SWN[j]); q > 0u; q--, p++) {\n"
                        + "            memcpy_P(&in[pgm_read_word(&SWF[p])], &SWV[p], sizeof in[0]);\n        }\n");
            } else {
                b.append("        memcpy(in, BASE, sizeof in);\n"
                        + "        for (q = SWN[j]; q > 0u; q--, p++) {\n            in[SWF[p]] = SWV[p];\n        }\n");
            }
            b.append("        edgeloop_predict(in, out);\n").append(fold).append(vectors > 0 ? "" : first)
                    .append("    }\n");
        }
        b.append("    (void)p;\n    (void)q;\n    (void)i;\n    (void)k;\n");
        b.append("    printf(\"H %lu %lu\\n\", (unsigned long)(v + j), (unsigned long)h);\n");
        b.append("    printf(\"C %lu %lu\\n\", (unsigned long)cycles, (unsigned long)timed);\n");
        b.append("    printf(\"EDGELOOP-DONE\\n\");\n");
        if (avr) {
            b.append("    cli();\n    sleep_enable();\n    sleep_cpu();\n    return 0;\n}\n");
        } else {
            b.append("    fflush(stdout);\n    return 0;\n}\n");
        }
        return b.toString();
    }

    private static void mainLoop(StringBuilder b, IntModel model, boolean avr, int[][] edges, int vectors, int every,
            long[] range, String fold) {
        int n = model.inputSize();
        int no = model.outputSize();
        b.append("    for (v = 0; v < UINT32_C(").append(vectors).append("); v++) {\n");
        if (edges.length > 0) {
            b.append("        if (v < ").append(edges.length).append("u) {\n");
            b.append(avr ? "            memcpy_P(in, EDGE[v], sizeof in);\n" : "            memcpy(in, EDGE[v], sizeof in);\n");
            b.append("        } else {\n");
        } else {
            b.append("        {\n");
        }
        randomInput(b, n, range);
        if (avr) {
            b.append(AVR_TIMED_PREDICT);
        } else {
            b.append("        edgeloop_predict(in, out);\n");
        }
        b.append(fold);
        b.append("        if (v == 0u) {\n            printf(\"" + FIRST_ANSWER + "\\n\");\n            fflush(stdout);\n"
                + "        }\n");
        // Short self-describing lines (vector, first output index, at most CHUNK values, closing '#'): simavr cuts
        // UART lines at 256 characters, and a cut line must never parse as a different sample.
        b.append("        if (v % UINT32_C(").append(every).append(") == 0u) {\n"
                + "            for (i = 0; i < ").append(no).append("u; i++) {\n"
                + "                if (i % ").append(CHUNK).append("u == 0u) {\n"
                + "                    printf(\"S %lu %u\", (unsigned long)v, (unsigned)i);\n                }\n"
                + "                printf(\" %ld\", (long)out[i]);\n"
                + "                if (i % ").append(CHUNK).append("u == ").append(CHUNK - 1).append("u || i == ")
                .append(no - 1).append("u) {\n                    printf(\" #\\n\");\n                }\n"
                + "            }\n        }\n    }\n");
    }

    /** The device's FNV-1a fold of {@code out[0..no)} into {@code h}. */
    private static String fold(int no) {
        return "        for (i = 0; i < " + no + "u; i++) {\n            uint32_t u = (uint32_t)out[i];\n"
                + "            for (k = 0; k < 4u; k++) {\n                h ^= (u >> (8u * k)) & UINT32_C(255);\n"
                + "                h *= UINT32_C(16777619);\n            }\n        }\n";
    }

    /**
     * Fills {@code in} with the next xorshift32 vector ({@link TestVectors#random}) and closes the block the caller
     * opened for it.
     */
    private static void randomInput(StringBuilder b, int n, long[] range) {
        long span = range[1] - range[0] + 1;
        int per = TestVectors.featuresPerDraw(span);
        b.append("            for (i = 0; i < ").append(n).append("u; i++) {\n");
        if (per > 1) {
            b.append("                if (i % ").append(per).append("u == 0u) {\n"
                    + "                    st ^= st << 13;\n                    st ^= st >> 17;\n                    st ^= st << 5;\n"
                    + "                }\n");
            b.append("                in[i] = (edgeloop_input_t)(").append(lit64(range[0])).append(" + (int64_t)((st >> (")
                    .append(32 / per).append("u * (i % ").append(per).append("u))) & UINT32_C(").append(span - 1)
                    .append(")));\n            }\n        }\n");
        } else {
            b.append("                st ^= st << 13;\n                st ^= st >> 17;\n                st ^= st << 5;\n");
            b.append("                in[i] = (edgeloop_input_t)(").append(lit64(range[0])).append(" + (int64_t)(st % UINT32_C(")
                    .append(span).append(")));\n            }\n        }\n");
        }
    }

    /**
     * Reassembles the sampled vectors from their chunk lines. A vector appears only when every chunk of it was read
     * whole (right offset, right number of values); a vector with a missing or malformed chunk is left out, so it
     * counts as a mismatch.
     *
     * @param clean   the device output ({@link #deviceOutput})
     * @param outputs outputs per vector
     * @return the complete samples by vector index
     */
    static java.util.Map<Long, int[]> samples(String clean, int outputs) {
        java.util.Map<Long, int[]> partial = new java.util.HashMap<>();
        java.util.Map<Long, java.util.BitSet> seen = new java.util.HashMap<>();
        java.util.Set<Long> broken = new java.util.HashSet<>();
        Matcher m = SAMPLE.matcher(clean);
        while (m.find()) {
            long v = Long.parseLong(m.group(1));
            int off = Integer.parseInt(m.group(2));
            String[] parts = m.group(3).trim().split(" ");
            int[] vals = partial.computeIfAbsent(v, k -> new int[outputs]);
            java.util.BitSet got = seen.computeIfAbsent(v, k -> new java.util.BitSet());
            if (off % CHUNK != 0 || off >= outputs || parts.length != Math.min(CHUNK, outputs - off) || got.get(off)) {
                broken.add(v);
                continue;
            }
            for (int i = 0; i < parts.length; i++) {
                vals[off + i] = (int) Long.parseLong(parts[i]);
            }
            got.set(off);
        }
        java.util.Map<Long, int[]> out = new java.util.HashMap<>();
        int chunks = (outputs + CHUNK - 1) / CHUNK;
        for (java.util.Map.Entry<Long, int[]> e : partial.entrySet()) {
            if (!broken.contains(e.getKey()) && seen.get(e.getKey()).cardinality() == chunks) {
                out.put(e.getKey(), e.getValue());
            }
        }
        return out;
    }

    private static ParityResult compare(IntModel model, ParityTarget target, String targetId, String out,
            int[][] edges, int[][] sweep, int vectors, long seed, int every, long[] range, long[] size, String machine)
            throws IOException {
        String clean = strip(out, target);
        java.util.Map<Long, int[]> samples = samples(clean, model.outputSize());
        Matcher hm = HASH.matcher(clean);
        if (!hm.find()) {
            throw new IOException("No hash line in the " + target.id() + " output");
        }
        long deviceCount = Long.parseLong(hm.group(1));
        long deviceHash = Long.parseLong(hm.group(2));
        OptionalLong cycles = OptionalLong.empty();
        Matcher cm = CYCLES.matcher(clean);
        if (target == ParityTarget.AVR8 && cm.find() && Long.parseLong(cm.group(2)) > 0) {
            cycles = OptionalLong.of(Math.round((double) Long.parseLong(cm.group(1)) / Long.parseLong(cm.group(2))));
        }
        // The Java side: same vectors, same hash, same samples.
        int[] st = {TestVectors.initialState(seed)};
        int h = TestVectors.FNV_OFFSET;
        int[] in = new int[model.inputSize()];
        int sampleMismatches = 0;
        int compared = 0;
        for (int v = 0; v < vectors; v++) {
            if (v < edges.length) {
                in = edges[v].clone();
            } else {
                TestVectors.random(st, range[0], range[1], in);
            }
            int[] o = model.predict(in);
            h = TestVectors.hash(h, o);
            if (v % every == 0) {
                int[] dev = samples.get((long) v);
                compared++;
                if (dev == null || !java.util.Arrays.equals(dev, o)) {
                    sampleMismatches++;
                }
            }
        }
        int[] base = TestVectors.base(model);
        for (int[] e : sweep) {
            h = TestVectors.hash(h, model.predict(TestVectors.apply(base, e)));
        }
        long javaHash = Integer.toUnsignedLong(h);
        int mismatches = deviceCount == (long) vectors + sweep.length && deviceHash == javaHash && sampleMismatches == 0 ? 0
                : Math.max(1, sampleMismatches);
        return new ParityResult(targetId, vectors, mismatches, deviceHash, javaHash, compared, size[0], size[1], cycles,
                sweep.length, 1, machine);
    }
}

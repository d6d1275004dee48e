package io.edgeloop.quantize.codegen;

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
 * The C cross-compilers Edgeloop drives: host {@code gcc}, {@code avr-gcc} (ATmega328P) and
 * {@code arm-none-eabi-gcc} (Cortex-M0/M3/M4F). Compiles objects for size reports.
 *
 * <p>Thread-safe: immutable.
 */
public enum Toolchain {
    /** The host C compiler. */
    HOST("gcc", "size", List.of("-O2")),
    /** avr-gcc for the ATmega328P. */
    AVR("avr-gcc", "avr-size", List.of("-mmcu=atmega328p", "-Os")),
    /** arm-none-eabi-gcc for the Cortex-M0. */
    CORTEX_M0("arm-none-eabi-gcc", "arm-none-eabi-size", List.of("-mcpu=cortex-m0", "-mthumb", "-Os")),
    /** arm-none-eabi-gcc for the Cortex-M3. */
    CORTEX_M3("arm-none-eabi-gcc", "arm-none-eabi-size", List.of("-mcpu=cortex-m3", "-mthumb", "-Os")),
    /** arm-none-eabi-gcc for the Cortex-M4F. */
    CORTEX_M4F("arm-none-eabi-gcc", "arm-none-eabi-size",
            List.of("-mcpu=cortex-m4", "-mthumb", "-mfloat-abi=hard", "-mfpu=fpv4-sp-d16", "-Os"));

    private final String compiler;
    private final String size;
    private final List<String> flags;

    Toolchain(String compiler, String size, List<String> flags) {
        this.compiler = compiler;
        this.size = size;
        this.flags = flags;
    }

    /**
     * @param targetId a target profile id
     * @return the toolchain building for it ({@code jvm} maps to the host)
     */
    public static Toolchain forTarget(String targetId) {
        switch (targetId) {
            case "avr8":
                return AVR;
            case "cortex-m0":
                return CORTEX_M0;
            case "cortex-m3":
                return CORTEX_M3;
            case "cortex-m4f":
                return CORTEX_M4F;
            default:
                return HOST;
        }
    }

    /** @return the compiler command */
    public String compiler() {
        return compiler;
    }

    /** @return the target flags */
    public List<String> flags() {
        return flags;
    }

    /** @return whether the compiler is installed */
    public boolean available() {
        return onPath(compiler) && onPath(size);
    }

    static boolean onPath(String cmd) {
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
     * Measured code size of {@code model.c}: flash is text + data, RAM is data + bss + the stack the compiler
     * reports for every function ({@code -fstack-usage}, a conservative sum).
     *
     * @param dir a directory holding {@code model.h} and {@code model.c}
     * @return {@code {flashBytes, ramBytes}}, or empty when the toolchain is missing
     * @throws IOException when compilation fails
     */
    public Optional<long[]> measure(Path dir) throws IOException {
        if (!available()) {
            return Optional.empty();
        }
        List<String> cmd = new ArrayList<>();
        cmd.add(compiler);
        cmd.addAll(flags);
        cmd.addAll(List.of("-std=c99", "-Wall", "-Wextra", "-Werror", "-fstack-usage", "-c", "model.c", "-o", "model.o"));
        run(dir, cmd, 120);
        String out = run(dir, List.of(size, "model.o"), 60);
        String[] lines = out.trim().split("\n");
        String[] f = lines[lines.length - 1].trim().split("\\s+");
        long text = Long.parseLong(f[0]);
        long data = Long.parseLong(f[1]);
        long bss = Long.parseLong(f[2]);
        long stack = 0;
        Path su = dir.resolve("model.su");
        if (Files.exists(su)) {
            for (String l : Files.readAllLines(su)) {
                String[] p = l.split("\t");
                if (p.length >= 2) {
                    stack += Long.parseLong(p[1].trim());
                }
            }
        }
        return Optional.of(new long[] {text + data, data + bss + stack});
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
        if (this != AVR) {
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
        Path log = Files.createTempFile("edgeloop-cmd", ".log");
        try {
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
        } finally {
            Files.deleteIfExists(log);
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

package io.edgeloop.quantize.codegen;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
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
        Path log = Files.createTempFile("edgeloop-cmd", ".log");
        try {
            Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).start();
            boolean done;
            try {
                done = p.waitFor(timeoutSeconds, TimeUnit.SECONDS);
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

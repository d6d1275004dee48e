package io.edgeloop.examples.demo.report;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** Takes a screenshot of a local HTML file with headless Chromium and measures the picture. */
final class ReportScreenshot {
    private ReportScreenshot() {
    }

    record Stats(double stdDev, int distinctColours, double nonBackgroundShare) {
    }

    static Path chromium() {
        for (String c : List.of("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")) {
            if (Files.isExecutable(Path.of(c))) {
                return Path.of(c);
            }
        }
        throw new AssertionError("Chromium is needed for the report screenshot test: install it with "
                + "scripts/install-test-deps.sh (Debian package 'chromium')");
    }

    static Path capture(Path html, Path png, int width, int height) throws IOException, InterruptedException {
        Path profile = Files.createTempDirectory(png.getParent(), "chromium-profile");
        ProcessBuilder pb = new ProcessBuilder(chromium().toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--hide-scrollbars", "--user-data-dir=" + profile, "--screenshot=" + png,
                "--window-size=" + width + "," + height, html.toAbsolutePath().toUri().toString());
        pb.redirectErrorStream(true);
        Path log = png.resolveSibling("chromium.log");
        pb.redirectOutput(log.toFile());
        Process p = pb.start();
        if (!p.waitFor(90, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("Chromium did not finish the screenshot within 90 s");
        }
        assertTrue(Files.isRegularFile(png) && Files.size(png) > 0, "Chromium wrote no screenshot (exit "
                + p.exitValue() + "): " + Files.readString(log, StandardCharsets.UTF_8));
        removeProfile(profile);
        return png;
    }

    /**
     * Deletes Chromium's profile once no Chromium process uses it any more. Its helper processes can outlive the
     * browser process by a moment on a loaded machine; were one still writing into the profile when JUnit deletes
     * the temporary directory, that cleanup would fail the test.
     */
    private static void removeProfile(Path profile) throws IOException, InterruptedException {
        String marker = "--user-data-dir=" + profile;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (ProcessHandle.allProcesses().anyMatch(h -> h.isAlive()
                && h.info().commandLine().map(c -> c.contains(marker)).orElse(false))) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("Chromium processes still use " + profile + " 60 s after the browser exited");
            }
            Thread.sleep(20);
        }
        try (Stream<Path> s = Files.walk(profile)) {
            for (Path f : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(f);
            }
        }
    }

    static Stats stats(BufferedImage img) {
        long n = (long) img.getWidth() * img.getHeight();
        double sum = 0;
        double sq = 0;
        Set<Integer> colours = new HashSet<>();
        int background = img.getRGB(0, 0) & 0xFFFFFF;
        long other = 0;
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                int rgb = img.getRGB(x, y) & 0xFFFFFF;
                double lum = 0.299 * (rgb >> 16 & 0xFF) + 0.587 * (rgb >> 8 & 0xFF) + 0.114 * (rgb & 0xFF);
                sum += lum;
                sq += lum * lum;
                if (colours.size() < 100_000) {
                    colours.add(rgb);
                }
                if (rgb != background) {
                    other++;
                }
            }
        }
        double mean = sum / n;
        return new Stats(Math.sqrt(Math.max(0, sq / n - mean * mean)), colours.size(), (double) other / n);
    }
}

package io.edgeloop.examples.demo.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("report.html")
class ReportHtmlTest {
    /** Anything a browser would fetch: links, sources, CSS url()/@import, scripts, absolute URLs. */
    private static final Pattern EXTERNAL = Pattern.compile(
            "(?i)(<script|<link|<img|<iframe|<object|<embed|\\bsrc\\s*=|\\bhref\\s*=|url\\s*\\(|@import|https?://|//[a-z0-9.-]+\\.[a-z]{2,})");

    static List<String> externalReferences(String html) {
        List<String> found = new ArrayList<>();
        Matcher m = EXTERNAL.matcher(html);
        while (m.find()) {
            found.add(html.substring(Math.max(0, m.start() - 30), Math.min(html.length(), m.end() + 30)));
        }
        return found;
    }

    @Test
    @DisplayName("is one self-contained file: no scripts, links, images, fonts or URLs to fetch")
    void selfContained() {
        for (DemoResults r : List.of(ReportFixtures.complete(), ReportFixtures.partial())) {
            String html = ReportHtml.render(r);
            assertEquals(List.of(), externalReferences(html));
            assertEquals(6, html.split("<svg ", -1).length - 1, "six charts");
        }
    }

    @Test
    @DisplayName("shows the run's figures and, for steps that did not run, says why in place of the chart")
    void showsFiguresAndReasons() {
        String html = ReportHtml.render(ReportFixtures.complete());
        assertTrue(html.contains("98.46 %"), "end model accuracy");
        assertTrue(html.contains("datatest2.txt 95.38 % vs 91.24 %"), "end model vs gold per test file");
        assertTrue(html.contains(">simavr<"), "parity location per variant");
        String partial = ReportHtml.render(ReportFixtures.partial());
        assertTrue(partial.contains("sdk-labeling provides no label model yet"));
        assertTrue(partial.contains("badge skipped"));
    }

    @Test
    @DisplayName("renders byte-identically for the same results")
    void deterministic() {
        assertEquals(ReportHtml.render(ReportFixtures.complete()), ReportHtml.render(ReportFixtures.complete()));
    }

    @Test
    @DisplayName("renders in headless Chromium to a full-size, non-blank screenshot")
    void screenshotInChromium(@TempDir Path dir) throws Exception {
        Path html = dir.resolve("report.html");
        ReportHtml.write(ReportFixtures.complete(), html);
        Path png = ReportScreenshot.capture(html, dir.resolve("report.png"), 1280, 2000);
        BufferedImage img = ImageIO.read(png.toFile());
        assertEquals(1280, img.getWidth());
        assertEquals(2000, img.getHeight());
        ReportScreenshot.Stats s = ReportScreenshot.stats(img);
        assertTrue(s.stdDev() > 20, "the screenshot looks blank: pixel standard deviation " + s.stdDev());
        assertTrue(s.distinctColours() > 50, "too few colours for charts: " + s.distinctColours());
        assertTrue(s.nonBackgroundShare() > 0.05, "almost nothing drawn: " + s.nonBackgroundShare());
        Path keep = Path.of("target", "report-screenshot");
        Files.createDirectories(keep);
        Files.copy(html, keep.resolve("report.html"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.copy(png, keep.resolve("report.png"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
}

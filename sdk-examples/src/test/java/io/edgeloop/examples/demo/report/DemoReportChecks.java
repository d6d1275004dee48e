package io.edgeloop.examples.demo.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;

/** Report checks shared by the report's own tests and the demo's end-to-end test. */
public final class DemoReportChecks {
    private DemoReportChecks() {
    }

    /**
     * @param html the document
     * @return excerpts around anything a browser would fetch
     */
    public static List<String> externalReferences(String html) {
        return ReportHtmlTest.externalReferences(html);
    }

    /**
     * Renders the file in headless Chromium at 1280 x 2000 and checks the picture is not blank.
     *
     * @param html    the report
     * @param workDir a scratch directory
     * @throws Exception when Chromium cannot run
     */
    public static void assertRendersInChromium(Path html, Path workDir) throws Exception {
        Files.createDirectories(workDir);
        Path png = ReportScreenshot.capture(html, workDir.resolve("report.png"), 1280, 2000);
        BufferedImage img = ImageIO.read(png.toFile());
        assertEquals(1280, img.getWidth());
        assertEquals(2000, img.getHeight());
        ReportScreenshot.Stats s = ReportScreenshot.stats(img);
        assertTrue(s.stdDev() > 20, "blank screenshot: pixel standard deviation " + s.stdDev());
        assertTrue(s.nonBackgroundShare() > 0.05, "almost nothing drawn: " + s.nonBackgroundShare());
    }
}

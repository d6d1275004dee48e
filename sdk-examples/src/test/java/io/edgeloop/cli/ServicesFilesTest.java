package io.edgeloop.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Every {@code META-INF/services} line of every Edgeloop SPI on the application's class path (all modules, as the
 * shaded {@code edgeloop.jar} merges them) names a class that loads and implements the SPI. A services file left
 * behind by a move (a non-clean build keeps {@code target/classes}; the shade plugin merges what it finds) made the
 * jar print a stack trace per lookup ("Skipping a SensorSourceProvider that failed to load").
 */
class ServicesFilesTest {
    private static final List<String> SPIS = List.of("io.edgeloop.api.source.SensorSourceProvider",
            "io.edgeloop.api.transport.TransportProvider", "io.edgeloop.api.label.LabellerProvider",
            "io.edgeloop.api.quantize.QuantizerProvider", "io.edgeloop.api.runtime.ModelRuntimeProvider",
            "io.edgeloop.api.deploy.DeployerProvider", "io.edgeloop.ota.registry.ModelRegistryProvider");

    @Test
    @DisplayName("every services line of every SPI names a loadable implementation")
    void everyServicesLineLoads() throws IOException {
        ClassLoader cl = ServicesFilesTest.class.getClassLoader();
        List<String> broken = new ArrayList<>();
        int lines = 0;
        for (String spi : SPIS) {
            Class<?> type;
            try {
                type = Class.forName(spi, false, cl);
            } catch (ClassNotFoundException e) {
                broken.add("SPI " + spi + " itself is missing");
                continue;
            }
            Enumeration<URL> files = cl.getResources("META-INF/services/" + spi);
            while (files.hasMoreElements()) {
                URL url = files.nextElement();
                try (BufferedReader r = new BufferedReader(new InputStreamReader(url.openStream(),
                        StandardCharsets.UTF_8))) {
                    for (String line; (line = r.readLine()) != null; ) {
                        String name = line.replaceAll("#.*", "").trim();
                        if (name.isEmpty()) {
                            continue;
                        }
                        lines++;
                        try {
                            Class<?> c = Class.forName(name, false, cl);
                            if (!type.isAssignableFrom(c)) {
                                broken.add(url + ": " + name + " does not implement " + spi);
                            }
                        } catch (ClassNotFoundException | LinkageError e) {
                            broken.add(url + ": " + name + " does not load (" + e + ")");
                        }
                    }
                }
            }
        }
        assertEquals(List.of(), broken);
        assertTrue(lines >= 10, "found only " + lines + " provider lines: the SPI list is stale");
    }
}

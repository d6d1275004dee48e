package io.edgeloop.examples.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DemoFilesTest {
    @Test
    @DisplayName("the demo claims only a new, empty or earlier demo directory, never one holding other files")
    void claimsOnlyItsOwnDirectory(@TempDir Path tmp) throws IOException {
        Path fresh = tmp.resolve("new");
        DemoFiles.claim(fresh);
        assertTrue(Files.exists(fresh.resolve(DemoFiles.MARKER)));
        Files.createDirectories(fresh.resolve("models"));
        DemoFiles.claim(fresh);

        Path project = tmp.resolve("project");
        Files.createDirectories(project.resolve("models"));
        Files.writeString(project.resolve("models").resolve("thesis.txt"), "precious");
        IOException e = assertThrows(IOException.class, () -> DemoFiles.claim(project));
        assertTrue(e.getMessage().contains("not empty") && e.getMessage().contains(DemoFiles.MARKER), e.getMessage());
        // it names every subdirectory a run replaces (rev-s7-docs item 6: labels and models-previous were missing)
        assertTrue(e.getMessage().contains("(devices, labels, models, models-previous, release, fleet)"),
                e.getMessage());
        assertEquals("precious", Files.readString(project.resolve("models").resolve("thesis.txt")));
    }
}

package io.edgeloop.cli;

import static io.edgeloop.cli.InProcessCli.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.cli.InProcessCli.Result;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.TypeConversionException;

/**
 * Byte options take the size syntax of deployer keys (bad-input walk L10: {@code bundle serve --max-upload 64MiB}
 * and {@code bench ota --bytes 1KiB} were refused by the parser).
 */
class ByteSizeConverterTest {
    @Test
    @DisplayName("reads plain bytes and the binary and decimal units deployer keys accept")
    void readsUnits() {
        ByteSizeConverter c = new ByteSizeConverter();
        assertEquals(512L, c.convert("512"));
        assertEquals(1024L, c.convert("1KiB"));
        assertEquals(64L << 20, c.convert("64MiB"));
        assertEquals(1L << 30, c.convert("1g"));
        assertEquals(1000L, c.convert("1KB"));
        TypeConversionException e = assertThrows(TypeConversionException.class, () -> c.convert("12 parsecs"));
        assertTrue(e.getMessage().contains("'12 parsecs'") && e.getMessage().contains("64KiB"), e.getMessage());
    }

    @Test
    @DisplayName("bench ota --bytes and bundle serve --max-upload take units; their range checks see the bytes")
    void optionsTakeUnits() {
        Result r = run("bench", "ota", "--bytes", "65MiB");
        assertEquals(1, r.code(), r.err());
        assertTrue(r.err().contains("--bytes must be between 1024 (1 KiB) and 67108864") && r.err().contains(
                "got 68157440"), r.err());
        r = run("bundle", "serve", "--store", "unused", "--no-verify", "--max-upload", "0KiB");
        assertEquals(1, r.code(), r.err());
        assertEquals("edgeloop: --max-upload must be at least 1 byte, got 0", r.err().strip());
        r = run("bench", "ota", "--bytes", "1 parsec");
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("--bytes") && r.err().contains("'1 parsec' is not a size"), r.err());
    }
}

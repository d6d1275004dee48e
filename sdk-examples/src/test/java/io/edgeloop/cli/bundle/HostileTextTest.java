package io.edgeloop.cli.bundle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.cli.Edgeloop;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Control characters from a hostile archive never reach the terminal (review s8 ota item 4): a tar header whose
 * size field holds {@code ESC[31mX\nY\aZZ} made {@code bundle inspect} print the raw escape sequence, BEL and NUL
 * inside its one-line error (commons-compress quotes the header bytes in its message).
 */
class HostileTextTest {
    /** The reviewer's ctl.bundle: one ustar header for manifest.json whose size field is {@code ESC[31mX\nY\aZZ}. */
    static byte[] controlCharacterArchive() {
        byte[] h = new byte[512];
        put(h, 0, "manifest.json".getBytes(StandardCharsets.US_ASCII));
        put(h, 100, "0000644\0".getBytes(StandardCharsets.US_ASCII));
        put(h, 124, new byte[] {0x1b, '[', '3', '1', 'm', 'X', '\n', 'Y', 0x07, 'Z', 'Z', 0});
        put(h, 156, new byte[] {'0'});
        put(h, 257, "ustar\0".getBytes(StandardCharsets.US_ASCII));
        put(h, 263, "00".getBytes(StandardCharsets.US_ASCII));
        put(h, 148, "        ".getBytes(StandardCharsets.US_ASCII));
        int sum = 0;
        for (byte b : h) {
            sum += b & 0xff;
        }
        put(h, 148, String.format(java.util.Locale.ROOT, "%06o\0 ", sum).getBytes(StandardCharsets.US_ASCII));
        byte[] archive = new byte[512 * 3]; // the header, then the two zero blocks of an end marker
        System.arraycopy(h, 0, archive, 0, 512);
        return archive;
    }

    private static void put(byte[] h, int at, byte[] v) {
        System.arraycopy(v, 0, h, at, v.length);
    }

    /** Fails naming the first control character other than the line ends, with its position. */
    static void assertNoControlCharacters(String text) {
        String body = text.endsWith("\n") ? text.substring(0, text.length() - 1) : text;
        for (int i = 0; i < body.length(); i++) {
            char c = body.charAt(i);
            if (Character.isISOControl(c)) {
                String around = body.substring(Math.max(0, i - 100), Math.min(body.length(), i + 60));
                throw new AssertionError(String.format(java.util.Locale.ROOT, "control character U+%04X at %d in: "
                        + "...%s...", (int) c, i, around.replaceAll("\\p{Cntrl}", "<C>")));
            }
        }
    }

    @Test
    @DisplayName("bundle inspect and bundle verify refuse the archive in one line without its control characters")
    void controlCharactersNeverReachTheTerminal(@TempDir Path dir) throws Exception {
        Path ctl = Files.write(dir.resolve("ctl.bundle"), controlCharacterArchive());
        StringWriter setup = new StringWriter();
        assertEquals(0, Edgeloop.run(new PrintWriter(setup, true), new PrintWriter(setup, true), "bundle", "keygen",
                "--alg", "ed25519", "--out", dir.resolve("k").toString()), setup.toString());
        assertEquals(0, Edgeloop.run(new PrintWriter(setup, true), new PrintWriter(setup, true), "bundle", "trust",
                "--key", dir.resolve("k/public.pem").toString(), "--threshold", "1", "--out",
                dir.resolve("trust.json").toString()),
                setup.toString());
        for (String command : new String[] {"inspect", "verify"}) {
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            String[] args = command.equals("inspect") ? new String[] {"bundle", "inspect", ctl.toString()}
                    : new String[] {"bundle", "verify", ctl.toString(), "--trust", dir.resolve("trust.json").toString(),
                        "--profile", "jvm"};
            int code = Edgeloop.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
            String e = err.toString();
            assertEquals(1, code, command + ": " + e);
            assertTrue(e.startsWith("edgeloop: "), e);
            assertEquals(1, e.strip().lines().count(), e);
            assertNoControlCharacters(out.toString() + e);
        }
    }

    @Test
    @DisplayName("with --verbose the stack trace, which quotes the same header bytes, is free of them too")
    void verboseStackTraceIsClean(@TempDir Path dir) throws Exception {
        Path ctl = Files.write(dir.resolve("ctl.bundle"), controlCharacterArchive());
        StringWriter err = new StringWriter();
        assertEquals(1, Edgeloop.run(new PrintWriter(new StringWriter(), true), new PrintWriter(err, true), "bundle",
                "inspect", ctl.toString(), "--verbose"));
        String e = err.toString();
        assertTrue(e.contains("\tat ") && e.contains("Invalid byte 27"), e);
        assertNoControlCharacters(e.replace('\n', ' ').replace('\t', ' '));
    }

    @Test
    @DisplayName("Edgeloop.oneLine replaces every control character of a message and its cause, keeping the text")
    void oneLineReplacesControlCharacters() {
        String line = Edgeloop.oneLine(new IllegalStateException("bad\u001b[31m entry\r\nname\t",
                new java.io.IOException("byte\u0007 \u0000\u007f\u009b end")));
        assertNoControlCharacters(line);
        assertTrue(line.startsWith("bad?[31m entry") && line.contains("name") && line.endsWith("end"), line);
    }
}

package io.edgeloop.cli.buffer;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("The relay gateway's mark")
class GatewayMarkTest {
    @TempDir
    Path dir;

    @Test
    @DisplayName("is written best effort: a mark that cannot be written warns once and does not stop the gateway")
    void aMarkThatCannotBeWrittenDoesNotStopTheGateway() throws Exception {
        // the review of 2026-12-03: GatewayMark.write threw inside the gateway's try block, so a gateway whose
        // buffer had filled the disk (no room for the mark) could not start to drain it. A directory in the way of
        // the mark's temporary file fails the write the same way, without a full disk.
        Files.createDirectory(dir.resolve(GatewayMark.FILE + ".tmp"));
        StringWriter err = new StringWriter();
        assertFalse(GatewayMark.tryWrite(dir, new PrintWriter(err)));
        assertTrue(err.toString().startsWith("edgeloop: warning: cannot mark " + dir + " as a relay gateway's buffer ("
                + GatewayMark.FILE + "): "), err.toString());
        assertTrue(err.toString().contains("forwarding anyway"), err.toString());
        assertFalse(Files.exists(dir.resolve(GatewayMark.FILE)));

        Files.delete(dir.resolve(GatewayMark.FILE + ".tmp"));
        StringWriter quiet = new StringWriter();
        assertTrue(GatewayMark.tryWrite(dir, new PrintWriter(quiet)));
        assertTrue(quiet.toString().isEmpty(), quiet.toString());
        assertTrue(Files.isRegularFile(dir.resolve(GatewayMark.FILE)));
        GatewayMark.refuseAppend(Path.of("elsewhere")); // an unmarked directory is not refused
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> GatewayMark.refuseAppend(dir));
        assertTrue(e.getMessage().contains("is a relay gateway's buffer"), e.getMessage());
    }
}

package io.edgeloop.cli.buffer;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.cli.Edgeloop;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A {@code file:} destination that is the buffer directory, or inside it, is refused also before either exists: a
 * gateway creates its buffer directory, and the file-drop transport writes into the drop directory once it
 * appears, so `buffer gateway --dir gwy --to file:$PWD/gwy` wrote its batch files next to {@code buffer.id}.
 */
class DropDirectoryTargetTest {
    private static final String ADVICE = ": a drop directory takes only the batch files the drain writes; give a"
            + " directory of its own (the receiver's drop directory) as --to";

    @TempDir
    Path tmp;

    @Test
    @DisplayName("the missing buffer directory itself is refused as --to, by its own name, through .. or a link")
    void missingBufferDirectoryIsRefused() throws IOException {
        Path dir = tmp.resolve("gwy");
        Path link = Files.createSymbolicLink(tmp.resolve("link"), tmp);
        for (Path drop : new Path[] {dir, tmp.resolve("x/../gwy"), link.resolve("gwy")}) {
            URI to = drop.toUri();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> DropDirectoryTarget.refuseBuffer(to, dir), drop.toString());
            assertEquals("--to " + to + " is the buffer directory --dir " + dir + " itself" + ADVICE, e.getMessage());
        }
        assertFalse(Files.exists(dir), "nothing is created");
    }

    @Test
    @DisplayName("a missing directory inside the buffer directory is refused as --to, whether the buffer exists or not")
    void missingDirectoryInsideTheBufferIsRefused() throws IOException {
        Path missing = tmp.resolve("gwy");
        Path existing = Files.createDirectories(tmp.resolve("buf"));
        Path link = Files.createSymbolicLink(tmp.resolve("to-buf"), existing);
        for (Path[] c : new Path[][] {{missing, missing.resolve("drop")}, {existing, existing.resolve("cursors2")},
                {existing, link.resolve("a/b")}, {link, existing.resolve("drop")}}) {
            URI to = c[1].toUri();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> DropDirectoryTarget.refuseBuffer(to, c[0]), c[1].toString());
            assertEquals("--to " + to + " lies inside the buffer directory --dir " + c[0] + ADVICE, e.getMessage());
        }
    }

    @Test
    @DisplayName("a dangling link that will name the buffer directory once it is created is refused as --to")
    void danglingLinkToTheBufferIsRefused() throws IOException {
        Path dir = tmp.resolve("gwy");
        Path drop = Files.createSymbolicLink(tmp.resolve("drop"), Path.of("gwy"));
        assertThrows(IllegalArgumentException.class, () -> DropDirectoryTarget.refuseBuffer(drop.toUri(), dir));
    }

    @Test
    @DisplayName("a missing sibling drop directory, or one whose name only starts like the buffer's, passes")
    void otherMissingDirectoriesPass() throws IOException {
        Path dir = tmp.resolve("gwy");
        for (Path drop : new Path[] {tmp.resolve("drop"), tmp.resolve("gwy2"), tmp.resolve("gwy-drop/x")}) {
            assertDoesNotThrow(() -> DropDirectoryTarget.refuseBuffer(drop.toUri(), dir), drop.toString());
        }
        Files.createDirectories(tmp.resolve("drop"));
        assertDoesNotThrow(() -> DropDirectoryTarget.refuseBuffer(tmp.resolve("drop").toUri(), dir));
    }

    @Test
    @DisplayName("buffer gateway into its own buffer directory, neither existing yet, exits 1 and creates nothing")
    void gatewayIntoItsOwnMissingBufferIsRefused() {
        Path dir = tmp.resolve("gwy");
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Edgeloop.run(new PrintWriter(out, true), new PrintWriter(err, true), "buffer", "gateway", "--dir",
                dir.toString(), "--listen", "127.0.0.1:0", "--to", dir.toUri().toString(), "--duration", "1",
                "--flush-timeout", "0");
        assertEquals(1, code, out + " " + err);
        assertTrue(err.toString().contains("is the buffer directory --dir " + dir + " itself"), err.toString());
        assertFalse(Files.exists(dir), "no buffer, no batch files");
    }
}

package io.edgeloop.cli.buffer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.cli.Edgeloop;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BufferAppendSyncOptionTest {
    @TempDir
    Path tmp;

    @Test
    @DisplayName("append --sync group:<too long> fails with one line naming the option and the limit, and"
            + " creates nothing")
    void tooLongGroupDelayNamesOptionAndLimit() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        Path dir = tmp.resolve("buf");
        int code = Edgeloop.run(new PrintWriter(out, true), new PrintWriter(err, true), "buffer", "append", "--dir",
                dir.toString(), "--sync", "group:99999999999999");
        assertEquals(1, code, out + "" + err);
        String msg = err.toString().strip();
        assertEquals(1, msg.lines().count(), msg);
        assertTrue(msg.contains("--sync") && msg.contains("group:99999999999999") && msg.contains("86400000"), msg);
        assertFalse(msg.contains("long overflow"), msg);
        assertFalse(Files.exists(dir), "nothing was created");
    }
}

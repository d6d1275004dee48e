package io.edgeloop.cli;

import static io.edgeloop.cli.InProcessCli.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.cli.InProcessCli.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A --to destination with a space (bad-input walk L3) printed the URI parser's "Illegal character in path at index
 * N"; the refusal now says to percent-encode and gives the encoded form.
 */
class UriConverterTest {
    @Test
    @DisplayName("buffer drain and gateway --to with a space say to percent-encode and give the encoded form")
    void spacesAreNamedWithTheEncodedForm(@TempDir Path tmp) throws Exception {
        String dir = tmp.resolve("b").toString();
        assertEquals(0, run("buffer", "append", "--dir", dir, "--count", "1").code());
        String[][] cases = {{"file:/tmp/drop box", "file:/tmp/drop%20box"},
            {"http://127.0.0.1:9/in gest", "http://127.0.0.1:9/in%20gest"},
            {"file:/tmp/caf\u00e9 box", "file:/tmp/caf%C3%A9%20box"}};
        for (String[] c : cases) {
            for (String cmd : new String[] {"drain", "gateway"}) {
                Result r = cmd.equals("drain") ? run("buffer", "drain", "--dir", dir, "--to", c[0])
                        : run("buffer", "gateway", "--dir", tmp.resolve("g").toString(), "--listen", "127.0.0.1:0",
                                "--to", c[0]);
                String e = r.err();
                assertEquals(2, r.code(), e);
                assertTrue(e.contains("--to") && e.contains("'" + c[0] + "' is not a URI: percent-encode")
                        && e.contains("(" + c[1] + ")"), e);
                assertFalse(e.contains("Illegal character"), e);
            }
        }
        assertFalse(Files.exists(tmp.resolve("g")));
    }
}

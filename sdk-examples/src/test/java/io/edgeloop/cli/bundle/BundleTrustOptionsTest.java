package io.edgeloop.cli.bundle;

import static io.edgeloop.cli.InProcessCli.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.cli.InProcessCli.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code bundle trust} refuses option values after parsing: exit 1, naming the option, the value and the range. */
class BundleTrustOptionsTest {
    @TempDir
    Path tmp;
    private Path pub;

    @BeforeEach
    void key() {
        Result k = run("bundle", "keygen", "--alg", "ed25519", "--out", tmp.resolve("k").toString());
        assertEquals(0, k.code(), k.err());
        pub = tmp.resolve("k/public.pem");
    }

    @Test
    @DisplayName("--expires-days beyond 100 years is refused by name and range, not with 'long overflow'")
    void expiresDaysHasAnUpperBound() {
        Path out = tmp.resolve("trust.json");
        for (String d : new String[] {"9223372036854775807", "36526", "0"}) {
            Result r = run("bundle", "trust", "--key", pub.toString(), "--threshold", "1", "--expires-days", d,
                    "--out", out.toString());
            assertEquals(1, r.code(), r.err());
            assertEquals("edgeloop: --expires-days must be between 1 and 36525 (100 years, as bundle create's "
                    + "--expires), got " + d, r.err().strip());
        }
        assertFalse(Files.exists(out));
        assertEquals(0, run("bundle", "trust", "--key", pub.toString(), "--threshold", "1", "--expires-days",
                "36525", "--out", out.toString()).code());
    }

    @Test
    @DisplayName("a --key given twice is named as such, not as a threshold above the key count")
    void duplicateKeyIsNamed() {
        Result r = run("bundle", "trust", "--key", pub.toString(), "--key", pub.toString(), "--threshold", "2",
                "--out", tmp.resolve("t.json").toString());
        assertEquals(1, r.code(), r.err());
        assertTrue(r.err().startsWith("edgeloop: --key " + pub + " is given more than once (key id "), r.err());
        assertTrue(r.err().contains("each key counts once toward --threshold"), r.err());
        assertFalse(r.err().contains("threshold must be between"), r.err());
    }
}

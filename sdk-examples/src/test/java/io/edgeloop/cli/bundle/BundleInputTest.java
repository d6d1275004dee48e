package io.edgeloop.cli.bundle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.edgeloop.cli.InProcessCli;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Inputs a newcomer gives the bundle commands: a bundle from a pipe, a PEM key where the trust file goes, and a
 * sequence too long for the default version.
 */
class BundleInputTest {
    private InProcessCli.Result last;

    private int run(String... args) {
        last = InProcessCli.run(args);
        return last.code();
    }

    /** Keys in {@code k}, a 1-of-1 trust file, and a bundle of model "har" for cortex-m3 at the given sequence. */
    private Path bundle(Path dir, long sequence) throws Exception {
        assertEquals(0, run("bundle", "keygen", "--alg", "ed25519", "--out", dir.resolve("k").toString()), last.err());
        assertEquals(0, run("bundle", "trust", "--key", dir.resolve("k/public.pem").toString(), "--threshold", "1",
                "--out", dir.resolve("trust.json").toString()), last.err());
        Path out = dir.resolve("har.bundle");
        assertEquals(0, run("bundle", "create", "--model", BundleCommandTest.modelDir(dir, "cortex-m3").toString(),
                "--name", "har", "--sequence", String.valueOf(sequence), "--key", dir.resolve("k/private.pem")
                        .toString(), "--runtime", "edgeloop-int", "--out", out.toString()), last.err());
        return out;
    }

    @Test
    @DisplayName("verify and inspect read a bundle from a pipe (a FIFO) instead of refusing it as 'Illegal seek'")
    void bundleFromAPipe(@TempDir Path dir) throws Exception {
        Path b = bundle(dir, 7);
        Path fifo = dir.resolve("pipe");
        Process mk = new ProcessBuilder("mkfifo", fifo.toString()).redirectErrorStream(true).start();
        assumeTrue(mk.waitFor() == 0 && Files.exists(fifo), "mkfifo is needed to make a pipe");
        for (String[] args : new String[][] {
            {"bundle", "verify", fifo.toString(), "--trust", dir.resolve("trust.json").toString(), "--profile",
                "cortex-m3"},
            {"bundle", "inspect", fifo.toString()}}) {
            Thread writer = new Thread(() -> {
                try {
                    Files.write(fifo, Files.readAllBytes(b)); // blocks until the command opens the pipe
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            writer.start();
            // it said "bundle refused: .../pipe (0 bytes): archive: not a readable bundle archive: Illegal seek"
            assertEquals(0, run(args), last.err());
            writer.join();
        }
        assertTrue(last.out().contains("artifacts/cortex-m3/model.json"), last.out());
    }

    @Test
    @DisplayName("a PEM key given as --trust is named as such, with the command that makes a trust file")
    void pemGivenAsTrust(@TempDir Path dir) throws Exception {
        Path b = bundle(dir, 7);
        Path pem = dir.resolve("k/public.pem");
        assertEquals(1, run("bundle", "verify", b.toString(), "--trust", pem.toString(), "--profile", "cortex-m3"));
        // it said "malformed trust file: invalid JSON at line 1, column 2: ... expected digit"
        assertEquals("edgeloop: " + pem + ": a PEM public key, not a trust file: make one from the public keys with "
                + "'edgeloop bundle trust --key public.pem --out trust.json' and pass that", last.err().strip());
    }

    @Test
    @DisplayName("create without --version accepts a sequence of 10 digits, with a default version that holds it")
    void longSequenceDefaultVersion(@TempDir Path dir) throws Exception {
        // it said "--version 1.1700000000.0: version must be semantic" though --version was not given
        Path b = bundle(dir, 1_700_000_000L);
        assertTrue(last.out().contains("har 1.0.0+sequence.1700000000 sequence 1700000000"), last.out());
        assertEquals(0, run("bundle", "verify", b.toString(), "--trust", dir.resolve("trust.json").toString(),
                "--profile", "cortex-m3"), last.err());
        assertEquals("1.7.0", BundleCreateCommand.defaultVersion(7));
        assertEquals("1.999999999.0", BundleCreateCommand.defaultVersion(999_999_999L));
        assertEquals("1.0.0+sequence." + Long.MAX_VALUE, BundleCreateCommand.defaultVersion(Long.MAX_VALUE));
        io.edgeloop.ota.bundle.BundleManifest.checkVersion(BundleCreateCommand.defaultVersion(Long.MAX_VALUE));
    }
}

package io.edgeloop.cli.bundle;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.cli.InProcessCli;
import io.edgeloop.ota.trust.VerificationKey;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code edgeloop bundle keygen} moves {@code private.pem} into place, then {@code public.pem}: killed between the
 * two, it leaves {@code private.pem} alone. The half-written states are made by hand here, from real keygen output.
 * Before (review s16): a rerun on {@code private.pem} alone refused with "already exists; refusing to overwrite a
 * private key", not a word about the missing half or what to do; a rerun on {@code public.pem} alone replaced it
 * with a new key's, silently; and a mismatched pair (a kill over an older {@code public.pem}) was accepted by
 * {@code bundle trust} and {@code bundle create}, whose bundle {@code bundle verify} then refused as
 * {@code unknown-key} without saying why. Run through the CLI's main entry, in process.
 */
@DisplayName("edgeloop bundle keygen after a half-written key pair")
class HalfWrittenKeyPairTest {
    private InProcessCli.Result last;

    private int run(String... args) {
        last = InProcessCli.run(args);
        return last.code();
    }

    private Path keygen(Path dir, String alg) {
        assertEquals(0, run("bundle", "keygen", "--alg", alg, "--out", dir.toString()), last.err());
        return dir;
    }

    private static List<Path> listing(Path dir) throws Exception {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.sorted().toList();
        }
    }

    @Test
    @DisplayName("private.pem alone: a rerun writes public.pem from it (no new key) and the pair signs and verifies")
    void privateKeyAloneIsCompleted(@TempDir Path dir) throws Exception {
        Path whole = keygen(dir.resolve("whole"), "ed25519");
        Path half = Files.createDirectories(dir.resolve("half"));
        Files.copy(whole.resolve("private.pem"), half.resolve("private.pem"));

        // old code: exit 1, "private.pem already exists; refusing to overwrite a private key"
        assertEquals(0, run("bundle", "keygen", "--alg", "ed25519", "--out", half.toString()), last.err());
        assertTrue(last.out().contains("no new key was generated"), last.out());
        assertArrayEquals(Files.readAllBytes(whole.resolve("public.pem")), Files.readAllBytes(half.resolve("public.pem")),
                "the public half of the private key that was there");
        assertArrayEquals(Files.readAllBytes(whole.resolve("private.pem")),
                Files.readAllBytes(half.resolve("private.pem")), "the private key is kept");
        assertEquals(List.of(half, half.resolve("private.pem"), half.resolve("public.pem")), listing(half));

        // the finished pair works end to end
        String trust = dir.resolve("trust.json").toString();
        assertEquals(0, run("bundle", "trust", "--key", half.resolve("public.pem").toString(), "--threshold", "1",
                "--out", trust), last.err());
        Path bundle = dir.resolve("m.bundle");
        assertEquals(0, run("bundle", "create", "--model", BundleCommandTest.modelDir(dir, "avr8").toString(),
                "--name", "m", "--sequence", "1", "--key", half.resolve("private.pem").toString(), "--runtime",
                "edgeloop-int", "--out", bundle.toString()), last.err());
        assertEquals(0, run("bundle", "verify", bundle.toString(), "--trust", trust, "--profile", "avr8"), last.err());

        // now whole: a further rerun refuses, as for any complete pair
        assertEquals(1, run("bundle", "keygen", "--alg", "ed25519", "--out", half.toString()));
        assertTrue(last.err().contains(half + " already holds a key pair") && last.err().contains("refusing to "
                + "overwrite a private key"), last.err());
    }

    @Test
    @DisplayName("private.pem alone of another algorithm than asked: refused naming it and its algorithm, nothing written")
    void privateKeyOfAnotherAlgorithmIsRefused(@TempDir Path dir) throws Exception {
        Path half = Files.createDirectories(dir.resolve("half"));
        Files.copy(keygen(dir.resolve("whole"), "p256").resolve("private.pem"), half.resolve("private.pem"));
        assertEquals(1, run("bundle", "keygen", "--alg", "ed25519", "--out", half.toString()));
        assertTrue(last.err().contains(half.resolve("private.pem") + " is there without public.pem")
                && last.err().contains("is a p256 key, not ed25519"), last.err());
        assertEquals(List.of(half, half.resolve("private.pem")), listing(half));
    }

    @Test
    @DisplayName("public.pem alone: refused naming it, and left as it was (it used to be replaced by a new key's)")
    void publicKeyAloneIsNotReplaced(@TempDir Path dir) throws Exception {
        Path half = Files.createDirectories(dir.resolve("half"));
        Files.copy(keygen(dir.resolve("whole"), "ed25519").resolve("public.pem"), half.resolve("public.pem"));
        byte[] before = Files.readAllBytes(half.resolve("public.pem"));
        // old code: exit 0, "wrote .../private.pem and .../public.pem", the old public key gone
        assertEquals(1, run("bundle", "keygen", "--alg", "ed25519", "--out", half.toString()));
        assertTrue(last.err().contains(half.resolve("public.pem") + " is there without private.pem")
                && last.err().contains("move"), last.err());
        assertArrayEquals(before, Files.readAllBytes(half.resolve("public.pem")));
        assertEquals(List.of(half, half.resolve("public.pem")), listing(half));
    }

    @Test
    @DisplayName("a mismatched pair: keygen, trust --key, trust --sign and create refuse it naming both files and "
            + "both key ids; nothing is written")
    void mismatchedPairIsRefusedEverywhere(@TempDir Path dir) throws Exception {
        Path a = keygen(dir.resolve("a"), "ed25519");
        Path b = keygen(dir.resolve("b"), "ed25519");
        Path mixed = Files.createDirectories(dir.resolve("mixed"));
        Files.copy(a.resolve("private.pem"), mixed.resolve("private.pem"));
        Files.copy(b.resolve("public.pem"), mixed.resolve("public.pem"));
        String idA = VerificationKey.readPem(a.resolve("public.pem")).keyId();
        String idB = VerificationKey.readPem(b.resolve("public.pem")).keyId();
        String priv = mixed.resolve("private.pem").toString();
        String pub = mixed.resolve("public.pem").toString();
        List<Path> before = listing(dir);

        assertEquals(1, run("bundle", "keygen", "--alg", "ed25519", "--out", mixed.toString()));
        assertMismatch(priv, idA, pub, idB);
        // old code: both accepted; the bundle was then refused by verify as unknown-key, the pair never named
        assertEquals(1, run("bundle", "trust", "--key", pub, "--threshold", "1", "--out",
                dir.resolve("trust.json").toString()));
        assertMismatch(priv, idA, pub, idB);
        assertEquals(1, run("bundle", "create", "--model", BundleCommandTest.modelDir(dir, "avr8").toString(),
                "--name", "m", "--sequence", "1", "--key", priv, "--runtime", "edgeloop-int", "--out",
                dir.resolve("m.bundle").toString()));
        assertMismatch(priv, idA, pub, idB);
        assertEquals(1, run("bundle", "trust", "--key", a.resolve("public.pem").toString(), "--threshold", "1",
                "--sign", priv, "--out", dir.resolve("trust.json").toString()));
        assertMismatch(priv, idA, pub, idB);
        assertFalse(Files.exists(dir.resolve("trust.json")) || Files.exists(dir.resolve("m.bundle")));
        try (Stream<Path> s = Files.walk(dir)) {
            assertEquals(before, s.sorted().filter(p -> !p.startsWith(dir.resolve("q-avr8"))
                    && !p.getFileName().toString().startsWith("tiny")).toList(), "nothing else written");
        }
    }

    private void assertMismatch(String priv, String idA, String pub, String idB) {
        String e = last.err().strip();
        assertEquals(1, e.lines().count(), e);
        assertTrue(e.contains(priv + " (key id " + idA + ") and " + pub + " (key id " + idB + ") are not one key pair")
                && e.contains("delete " + pub), e);
    }
}

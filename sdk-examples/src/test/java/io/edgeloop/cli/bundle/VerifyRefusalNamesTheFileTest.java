package io.edgeloop.cli.bundle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.edgeloop.cli.InProcessCli;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code edgeloop bundle verify} named the bundle file only when its archive could not be read; a refusal by any
 * other check (a signature, an unknown key, a digest, anti-rollback, a manifest field) said which check failed but
 * not of which file, so a script verifying several bundles could not tell (review s16). Run through the CLI's main
 * entry, in process.
 */
@DisplayName("edgeloop bundle verify names the file in every refusal")
class VerifyRefusalNamesTheFileTest {
    private InProcessCli.Result last;

    private int run(String... args) {
        last = InProcessCli.run(args);
        return last.code();
    }

    /** The data offset and size of an entry of an uncompressed tar. */
    static int[] entry(byte[] tar, String name) {
        for (int off = 0; off + 512 <= tar.length;) {
            String n = new String(tar, off, 100, StandardCharsets.US_ASCII);
            n = n.substring(0, n.indexOf('\0') < 0 ? 100 : n.indexOf('\0'));
            if (n.isEmpty()) {
                break;
            }
            int size = Integer.parseInt(new String(tar, off + 124, 11, StandardCharsets.US_ASCII).trim(), 8);
            if (n.equals(name)) {
                return new int[] {off + 512, size};
            }
            off += 512 + (size + 511) / 512 * 512;
        }
        throw new AssertionError(name + " is not in the archive");
    }

    /** Replaces {@code from} by {@code to} (same length) inside the entry's data. */
    static byte[] edited(byte[] tar, String name, String from, String to) {
        int[] e = entry(tar, name);
        String data = new String(tar, e[0], e[1], StandardCharsets.ISO_8859_1);
        int at = data.indexOf(from);
        assertTrue(at >= 0 && from.length() == to.length(), from + " in " + name);
        byte[] copy = tar.clone();
        System.arraycopy(to.getBytes(StandardCharsets.ISO_8859_1), 0, copy, e[0] + at, to.length());
        return copy;
    }

    /** Asserts one line naming the file and the check: {@code edgeloop: bundle refused: FILE: <check>: ...}. */
    private void assertRefused(Path file, String check) {
        String e = last.err().strip();
        assertEquals(1, last.code(), e);
        assertEquals(1, e.lines().count(), e);
        // old code: "edgeloop: bundle refused: <check>: ...", no file
        assertTrue(e.startsWith("edgeloop: bundle refused: " + file + ": " + check + ": "), e);
    }

    @Test
    @DisplayName("a bad signature, an unknown key, a digest mismatch, a rollback, another model name or an older "
            + "epoch: each refusal names the file and the failed check, in text and in --json")
    void everyRefusalNamesTheFileAndTheCheck(@TempDir Path dir) throws Exception {
        for (String k : new String[] {"a", "b"}) {
            assertEquals(0, run("bundle", "keygen", "--alg", "ed25519", "--out", dir.resolve(k).toString()), last.err());
        }
        String trust = dir.resolve("trust.json").toString();
        String trustB = dir.resolve("trust-b.json").toString();
        assertEquals(0, run("bundle", "trust", "--key", dir.resolve("a/public.pem").toString(), "--threshold", "1",
                "--out", trust), last.err());
        assertEquals(0, run("bundle", "trust", "--key", dir.resolve("b/public.pem").toString(), "--threshold", "1",
                "--out", trustB), last.err());
        Path bundle = dir.resolve("har-4.bundle");
        assertEquals(0, run("bundle", "create", "--model", BundleCommandTest.modelDir(dir, "avr8").toString(),
                "--name", "har", "--sequence", "4", "--key", dir.resolve("a/private.pem").toString(), "--runtime",
                "edgeloop-int", "--out", bundle.toString()), last.err());
        assertEquals(0, run("bundle", "verify", bundle.toString(), "--trust", trust, "--profile", "avr8"), last.err());
        byte[] b = Files.readAllBytes(bundle);

        // the manifest changed after signing, still canonical: the signature no longer verifies
        Path resigned = Files.write(dir.resolve("renamed.bundle"),
                edited(b, "manifest.json", "\"name\":\"har\"", "\"name\":\"hbr\""));
        run("bundle", "verify", resigned.toString(), "--trust", trust, "--profile", "avr8");
        assertRefused(resigned, "signature-invalid");

        // signed by a key the trust file does not list
        run("bundle", "verify", bundle.toString(), "--trust", trustB, "--profile", "avr8");
        assertRefused(bundle, "unknown-key");

        // an artifact's bytes changed after signing
        String model = new String(b, entry(b, "artifacts/avr8/model.json")[0], 40, StandardCharsets.ISO_8859_1);
        String from = model.substring(2, 3);
        Path tampered = Files.write(dir.resolve("tampered.bundle"), edited(b, "artifacts/avr8/model.json",
                model.substring(0, 3), model.substring(0, 2) + (from.equals("x") ? "y" : "x")));
        run("bundle", "verify", tampered.toString(), "--trust", trust, "--profile", "avr8");
        assertRefused(tampered, "digest");

        // anti-rollback and the manifest's fields against the device's
        run("bundle", "verify", bundle.toString(), "--trust", trust, "--profile", "avr8", "--min-sequence", "5");
        assertRefused(bundle, "rollback");
        run("bundle", "verify", bundle.toString(), "--trust", trust, "--profile", "avr8", "--name", "door");
        assertRefused(bundle, "model-name");
        run("bundle", "verify", bundle.toString(), "--trust", trust, "--profile", "avr8", "--min-epoch", "1");
        assertRefused(bundle, "security-epoch");
        run("bundle", "verify", bundle.toString(), "--trust", trust, "--profile", "jvm");
        assertRefused(bundle, "target");

        // --json: the file and the check on stdout too
        List<String> checks = new ArrayList<>();
        for (Path f : new Path[] {resigned, tampered}) {
            run("bundle", "verify", f.toString(), "--trust", trust, "--profile", "avr8", "--json");
            JsonNode r = new ObjectMapper().readTree(last.out());
            assertEquals(f.toString(), r.path("file").asText(), last.out());
            checks.add(r.path("check").asText());
            assertTrue(last.err().strip().startsWith("edgeloop: bundle refused: " + f + ": "), last.err());
        }
        assertEquals(List.of("signature-invalid", "digest"), checks);
    }
}

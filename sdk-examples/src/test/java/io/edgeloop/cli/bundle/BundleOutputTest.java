package io.edgeloop.cli.bundle;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.cli.InProcessCli;
import io.edgeloop.cli.InProcessCli.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad-input sweep s16 H2: {@code bundle create --out} and {@code bundle trust --out} never destroy a user's file. */
@DisplayName("edgeloop bundle create/trust --out")
class BundleOutputTest {
    private static Result create(Path q, Path key, Path out, String... more) {
        List<String> args = new java.util.ArrayList<>(List.of("bundle", "create", "--model", q.toString(), "--name",
                "har", "--sequence", "8", "--key", key.toString(), "--out", out.toString()));
        args.addAll(List.of(more));
        return InProcessCli.run(args.toArray(new String[0]));
    }

    /** Generates keys/a in {@code dir}; returns its private.pem. */
    private static Path keygen(Path dir) {
        assertEquals(0, InProcessCli.run("bundle", "keygen", "--alg", "ed25519", "--out", dir.resolve("k/a")
                .toString()).code());
        return dir.resolve("k/a/private.pem");
    }

    private static void assertRefused(Result r, Path victim, byte[] before, String... says) throws Exception {
        assertEquals(1, r.code(), r.out() + r.err());
        for (String s : says) {
            assertTrue(r.err().contains(s), "says '" + s + "': " + r.err());
        }
        assertArrayEquals(before, Files.readAllBytes(victim), victim + " is unchanged");
    }

    @Test
    @DisplayName("bundle create refuses an --out that is its --key (by any name: itself, a symbolic link, a path "
            + "through ..) or lies inside its --model directory, and keeps the file; it replaces a bundle, and another "
            + "existing file (a trust file) only with --force")
    void createRefusesItsInputs(@TempDir Path dir) throws Exception {
        Path q = BundleCommandTest.modelDir(dir, "avr8");
        Path key = keygen(dir);
        byte[] keyBytes = Files.readAllBytes(key);
        Path link = Files.createSymbolicLink(dir.resolve("key-link.pem"), key);
        Files.createDirectories(dir.resolve("k/x"));
        for (Path out : List.of(key, link, dir.resolve("k/x/../a/private.pem"))) {
            assertRefused(create(q, key, out), key, keyBytes, "--out " + out + " is the same file as --key " + key,
                    "writing it would destroy that input");
        }
        Path modelJson = q.resolve("model.json");
        byte[] model = Files.readAllBytes(modelJson);
        assertRefused(create(q, key, modelJson), modelJson, model, "--out " + modelJson + " lies inside --model " + q);
        Path inside = q.resolve("new.bundle");
        Result r = create(q, key, inside);
        assertEquals(1, r.code(), r.err());
        assertFalse(Files.exists(inside), "nothing written into the model directory");

        Path bundle = dir.resolve("har-8.bundle");
        r = create(q, key, bundle);
        assertEquals(0, r.code(), r.err());
        r = create(q, key, bundle);
        assertEquals(0, r.code(), "replacing a bundle with a bundle stays allowed: " + r.err());

        // an existing file that is not a bundle: only with --force
        Path trust = dir.resolve("trust.json");
        assertEquals(0, InProcessCli.run("bundle", "trust", "--key", dir.resolve("k/a/public.pem").toString(),
                "--threshold", "1", "--out", trust.toString()).code());
        byte[] trustBytes = Files.readAllBytes(trust);
        assertRefused(create(q, key, trust), trust, trustBytes, "--out " + trust + " exists and is not a bundle",
                "--force");
        r = create(q, key, trust, "--force");
        assertEquals(0, r.code(), r.err());
        assertEquals(0, InProcessCli.run("bundle", "inspect", trust.toString()).code(), "--force replaced it");
    }

    @Test
    @DisplayName("bundle trust refuses an --out that is an input (--key, --previous) and an existing file that is "
            + "not a trust file unless --force; replacing a trust file stays allowed")
    void trustRefusesItsInputsAndOtherFiles(@TempDir Path dir) throws Exception {
        Path pub = keygen(dir).resolveSibling("public.pem");
        byte[] pubBytes = Files.readAllBytes(pub);
        assertRefused(InProcessCli.run("bundle", "trust", "--key", pub.toString(), "--threshold", "1", "--out",
                pub.toString()), pub, pubBytes, "--out " + pub + " is the same file as --key " + pub);

        Path trust = dir.resolve("trust.json");
        Result r = InProcessCli.run("bundle", "trust", "--key", pub.toString(), "--threshold", "1", "--out",
                trust.toString());
        assertEquals(0, r.code(), r.err());
        r = InProcessCli.run("bundle", "trust", "--key", pub.toString(), "--threshold", "1", "--out",
                trust.toString());
        assertEquals(0, r.code(), "a trust file may be replaced by one: " + r.err());
        byte[] trustBytes = Files.readAllBytes(trust);
        assertRefused(InProcessCli.run("bundle", "trust", "--key", pub.toString(), "--threshold", "1", "--previous",
                trust.toString(), "--sign", dir.resolve("k/a/private.pem").toString(), "--out", trust.toString()),
                trust, trustBytes, "--out " + trust + " is the same file as --previous " + trust);

        Path notes = Files.writeString(dir.resolve("notes.txt"), "keep me\n");
        byte[] notesBytes = Files.readAllBytes(notes);
        assertRefused(InProcessCli.run("bundle", "trust", "--key", pub.toString(), "--threshold", "1", "--out",
                notes.toString()), notes, notesBytes, "--out " + notes + " exists and is not a trust file", "--force");
        r = InProcessCli.run("bundle", "trust", "--key", pub.toString(), "--threshold", "1", "--out",
                notes.toString(), "--force");
        assertEquals(0, r.code(), r.err());
    }
}

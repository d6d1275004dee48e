package io.edgeloop.cli.bundle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.edgeloop.cli.Edgeloop;
import io.edgeloop.cli.InProcessCli;
import io.edgeloop.ota.trust.TrustRoot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("edgeloop bundle")
class BundleCommandTest {
    /** The last run's exit code and output. */
    private InProcessCli.Result last;

    private int run(String... args) {
        last = InProcessCli.run(args);
        return last.code();
    }

    /**
     * A real quantized-model directory for a target ({@code edgeloop quantize} output of a small logistic model):
     * bundle create loads each model.json and runs its golden vectors before signing, so an opaque stand-in no
     * longer passes. Every call quantizes the same float model, so directories for several targets are one model.
     */
    static Path modelDir(Path root, String target) throws Exception {
        Path d = root.resolve("q-" + target);
        if (Files.exists(d)) {
            return d;
        }
        io.edgeloop.api.spi.ProviderLoader.of(io.edgeloop.api.quantize.QuantizerProvider.class).select("int8")
                .create(io.edgeloop.api.config.ComponentConfig.empty())
                .quantize(io.edgeloop.api.quantize.QuantizationRequest.builder().modelFile(floatModel(root))
                        .calibration(io.edgeloop.quantize.train.CsvData.read(root.resolve("tiny.csv"), "label",
                                java.util.Set.of()).rows())
                        .target(io.edgeloop.api.target.TargetProfile.of(target)).build())
                .writeTo(d);
        return d;
    }

    /** Trains (once per root) a logistic model on 200 deterministic rows of two features. */
    private static Path floatModel(Path root) throws Exception {
        Path model = root.resolve("tiny.model");
        if (!Files.exists(model)) {
            java.util.Random r = new java.util.Random(7);
            StringBuilder b = new StringBuilder("a,b,label\n");
            for (int i = 0; i < 200; i++) {
                double x = r.nextGaussian();
                double y = r.nextGaussian();
                b.append(String.format(java.util.Locale.ROOT, "%.4f,%.4f,%s%n", x, y, x - y > 0 ? "yes" : "no"));
            }
            Path csv = Files.writeString(root.resolve("tiny.csv"), b);
            io.edgeloop.quantize.train.TribuoTraining.train(io.edgeloop.quantize.train.CsvData.read(csv, "label",
                    java.util.Set.of()), "logistic", 1).serializeToFile(model);
        }
        return model;
    }

    private static List<Path> listing(Path dir) throws Exception {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.sorted().collect(Collectors.toList());
        }
    }

    @Test
    @DisplayName("generates keys, writes a 2-of-2 trust file, creates, inspects and verifies a bundle")
    void endToEnd(@TempDir Path dir) throws Exception {
        assertEquals(0, run("bundle", "keygen", "--alg", "ed25519", "--out", dir.resolve("k1").toString()), last.err());
        assertEquals(0, run("bundle", "keygen", "--alg", "p256", "--out", dir.resolve("k2").toString()), last.err());
        assertTrue(Files.exists(dir.resolve("k1/private.pem")) && Files.exists(dir.resolve("k2/public.pem")));
        assertEquals(0, run("bundle", "trust", "--key", dir.resolve("k1/public.pem").toString(), "--key",
                dir.resolve("k2/public.pem").toString(), "--threshold", "2", "--out", dir.resolve("trust.json").toString()),
                last.err());
        Path bundle = dir.resolve("har.bundle");
        assertEquals(0, run("bundle", "create", "--model", modelDir(dir, "avr8").toString(), "--model",
                modelDir(dir, "cortex-m3").toString(), "--name", "har", "--sequence", "4", "--key",
                dir.resolve("k1/private.pem").toString(), "--key", dir.resolve("k2/private.pem").toString(), "--expires",
                "3600", "--runtime", "edgeloop-int", "--runtime-versions", "*", "--out", bundle.toString()), last.err());

        assertEquals(0, run("bundle", "inspect", bundle.toString()), last.err());
        assertTrue(last.out().contains("artifacts/avr8/model.json"), last.out());

        List<Path> before = listing(dir);
        assertEquals(0, run("bundle", "verify", bundle.toString(), "--trust", dir.resolve("trust.json").toString(),
                "--profile", "cortex-m3", "--min-sequence", "4", "--json"), last.err());
        JsonNode r = new ObjectMapper().readTree(last.out());
        assertTrue(r.get("accepted").asBoolean());
        assertEquals("artifacts/cortex-m3/model.json", r.get("artifact").asText());
        assertEquals(2, r.get("signatures").asInt());
        assertEquals(before, listing(dir), "verify writes nothing");

        // refused: one line naming the check, non-zero exit
        assertEquals(1, run("bundle", "verify", bundle.toString(), "--trust", dir.resolve("trust.json").toString(),
                "--profile", "jvm"));
        assertOneLine("target");
        assertEquals(1, run("bundle", "verify", bundle.toString(), "--trust", dir.resolve("trust.json").toString(),
                "--profile", "avr8", "--min-sequence", "5"));
        assertOneLine("rollback");
        assertEquals(1, run("bundle", "verify", bundle.toString(), "--trust", dir.resolve("trust.json").toString(),
                "--profile", "avr8", "--name", "door-sensor"));
        assertOneLine("model-name");
        assertEquals(0, run("bundle", "verify", bundle.toString(), "--trust", dir.resolve("trust.json").toString(),
                "--profile", "avr8", "--name", "har"), last.err());
        byte[] b = Files.readAllBytes(bundle);
        b[520] ^= 0x01; // inside manifest.json, the first entry
        Path bad = dir.resolve("bad.bundle");
        Files.write(bad, b);
        assertEquals(1, run("bundle", "verify", bad.toString(), "--trust", dir.resolve("trust.json").toString(),
                "--profile", "avr8"));
        assertTrue(last.err().startsWith("edgeloop: bundle refused: "), last.err());
        assertEquals(before.size() + 1, listing(dir).size(), "only the test's own bad.bundle was added");
    }

    @Test
    @DisplayName("a bundle cut short is named with its size and said to be cut short, by inspect and verify (it used "
            + "to be 'archive: not a readable bundle archive: Truncated TAR archive', naming neither)")
    void bundleCutShortIsNamed(@TempDir Path dir) throws Exception {
        run("bundle", "keygen", "--alg", "ed25519", "--out", dir.resolve("k").toString());
        run("bundle", "trust", "--key", dir.resolve("k/public.pem").toString(), "--threshold", "1", "--out",
                dir.resolve("trust.json").toString());
        Path bundle = dir.resolve("b.bundle");
        assertEquals(0, run("bundle", "create", "--model", modelDir(dir, "avr8").toString(), "--name", "m",
                "--sequence", "1", "--key", dir.resolve("k/private.pem").toString(), "--runtime", "edgeloop-int",
                "--out", bundle.toString()), last.err());
        byte[] b = Files.readAllBytes(bundle);
        // the first entry is manifest.json; its size is the header's octal field at offset 124
        int manifest = Integer.parseInt(new String(b, 124, 11, java.nio.charset.StandardCharsets.US_ASCII).trim(), 8);
        int cut = 512 + manifest / 2;
        Path cutShort = Files.write(dir.resolve("cut.bundle"), java.util.Arrays.copyOf(b, cut));
        String why = "archive: truncated archive: it is cut short inside entry 'manifest.json' (of " + manifest
                + " bytes)";
        assertEquals(1, run("bundle", "inspect", cutShort.toString()));
        assertEquals("edgeloop: " + cutShort + " (" + cut + " bytes) is not a readable bundle: " + why,
                last.err().strip());
        assertEquals(1, run("bundle", "verify", cutShort.toString(), "--trust", dir.resolve("trust.json").toString(),
                "--profile", "avr8"));
        assertEquals("edgeloop: bundle refused: " + cutShort + " (" + cut + " bytes): " + why, last.err().strip());
    }

    @Test
    @DisplayName("inspect on a file that is no tar archive says it is not a bundle, quoting none of its bytes")
    void garbageIsNotABundle(@TempDir Path dir) throws Exception {
        // text where a tar header has its octal fields: commons-compress said "Invalid byte 111 at offset 0 in
        // 'ot a tar' len=8", quoting the file's bytes
        Path f = Files.writeString(dir.resolve("notes.txt"), "this is a text file, not a tar archive\n".repeat(100));
        assertEquals(1, run("bundle", "inspect", f.toString()));
        assertEquals("edgeloop: " + f + " (" + Files.size(f) + " bytes) is not a readable bundle: archive: not a "
                + "bundle: the input "
                + "does not start with a tar header (a bundle is the tar or tar.gz archive 'edgeloop bundle create' "
                + "writes)", last.err().strip());
    }

    @Test
    @DisplayName("refuses a bundle signed by one key when the trust file needs two")
    void threshold(@TempDir Path dir) throws Exception {
        run("bundle", "keygen", "--alg", "ed25519", "--out", dir.resolve("k1").toString());
        run("bundle", "keygen", "--alg", "ed25519", "--out", dir.resolve("k2").toString());
        run("bundle", "trust", "--key", dir.resolve("k1/public.pem").toString(), "--key",
                dir.resolve("k2/public.pem").toString(), "--threshold", "2", "--out", dir.resolve("trust.json").toString());
        Path bundle = dir.resolve("b.tar");
        assertEquals(0, run("bundle", "create", "--model", modelDir(dir, "jvm").toString(), "--name", "m", "--sequence",
                "1", "--key", dir.resolve("k1/private.pem").toString(),
                "--gzip", "--runtime", "edgeloop-int", "--out", bundle.toString()), last.err());
        assertEquals(1, run("bundle", "verify", bundle.toString(), "--trust", dir.resolve("trust.json").toString(),
                "--profile", "jvm"));
        assertOneLine("threshold");
    }

    @Test
    @DisplayName("verify refuses a rotated trust file edited after signing, naming it, and with --previous refuses one"
            + " the previous file did not sign")
    void verifyChecksTheTrustFileSignatures(@TempDir Path dir) throws Exception {
        for (String[] k : new String[][] {{"a", "ed25519"}, {"b", "p256"}, {"c", "ed25519"}}) {
            assertEquals(0, run("bundle", "keygen", "--alg", k[1], "--out", dir.resolve(k[0]).toString()), last.err());
        }
        String t1 = dir.resolve("t1.json").toString();
        String t2 = dir.resolve("t2.json").toString();
        assertEquals(0, run("bundle", "trust", "--key", dir.resolve("a/public.pem").toString(), "--threshold", "1",
                "--out", t1), last.err());
        assertEquals(0, run("bundle", "trust", "--previous", t1, "--key", dir.resolve("b/public.pem").toString(),
                "--revoke", dir.resolve("a/public.pem").toString(), "--threshold", "1", "--sign",
                dir.resolve("a/private.pem").toString(), "--sign", dir.resolve("b/private.pem").toString(), "--out",
                t2), last.err());
        Path byA = dir.resolve("by-a.tar");
        Path byB = dir.resolve("by-b.tar");
        for (String k : new String[] {"a", "b"}) {
            assertEquals(0, run("bundle", "create", "--model", modelDir(dir, "avr8").toString(), "--name", "m",
                    "--sequence", "7", "--key", dir.resolve(k + "/private.pem").toString(), "--out",
                    (k.equals("a") ? byA : byB).toString()), last.err());
        }
        assertEquals(1, run("bundle", "verify", byA.toString(), "--trust", t2, "--profile", "avr8"), "a is revoked");
        assertEquals(0, run("bundle", "verify", byB.toString(), "--trust", t2, "--profile", "avr8"), last.err());
        assertEquals(0, run("bundle", "verify", byB.toString(), "--previous", t1, "--trust", t2, "--profile", "avr8"),
                last.err());

        // the revoked key put back and the revocation emptied, signatures left as they were
        com.fasterxml.jackson.databind.ObjectMapper m = new com.fasterxml.jackson.databind.ObjectMapper();
        com.fasterxml.jackson.databind.node.ObjectNode doc =
                (com.fasterxml.jackson.databind.node.ObjectNode) m.readTree(Files.readAllBytes(Path.of(t2)));
        com.fasterxml.jackson.databind.node.ObjectNode signed = (com.fasterxml.jackson.databind.node.ObjectNode) doc.get("signed");
        ((com.fasterxml.jackson.databind.node.ArrayNode) signed.get("keys")).add(m.readTree(Files.readAllBytes(Path.of(t1)))
                .get("signed").get("keys").get(0));
        signed.putArray("revokedKeys");
        Path tampered = dir.resolve("t2-tampered.json");
        m.writeValue(tampered.toFile(), doc);
        assertEquals(1, run("bundle", "verify", byA.toString(), "--trust", tampered.toString(), "--profile", "avr8"),
                "an edited rotated root must not be adopted: " + last.out());
        assertTrue(last.err().contains("trust file " + tampered + " refused")
                && last.err().contains("not signed by its own threshold"), last.err());
        assertFalse(last.out().contains("accepted"), last.out());
        // README: with --json a refusal prints "file" and "check" on stdout, the trust file's own too
        assertEquals(1, run("bundle", "verify", byA.toString(), "--trust", tampered.toString(), "--profile", "avr8",
                "--json"));
        com.fasterxml.jackson.databind.JsonNode refusal = m.readTree(last.out());
        assertEquals(false, refusal.get("accepted").asBoolean(true), last.out());
        assertEquals(byA.toString(), refusal.path("file").asText(), last.out());
        assertEquals("trust", refusal.path("check").asText(), last.out());
        assertEquals(tampered.toString(), refusal.path("trustFile").asText(), last.out());
        assertTrue(refusal.path("message").asText().contains("not signed by its own threshold"), last.out());
        Path malformed = dir.resolve("t-malformed.json");
        Files.writeString(malformed, "{\"signed\":");
        assertEquals(1, run("bundle", "verify", byA.toString(), "--trust", malformed.toString(), "--profile", "avr8",
                "--json"));
        assertEquals("trust", m.readTree(last.out()).path("check").asText(), last.out() + last.err());
        assertEquals(1, last.err().strip().lines().count(), last.err());

        // a version 2 root signed by its own key only: consistent on its own, refused by the previous root
        TrustRoot forged = TrustRoot.read(Path.of(t1)).toBuilder().version(2).removeKey(
                io.edgeloop.ota.trust.VerificationKey.readPem(dir.resolve("a/public.pem")).keyId())
                .key(io.edgeloop.ota.trust.VerificationKey.readPem(dir.resolve("c/public.pem"))).build()
                .signedBy(io.edgeloop.ota.trust.SigningKey.readPem(dir.resolve("c/private.pem")));
        Path f = dir.resolve("t2-forged.json");
        forged.write(f);
        assertEquals(1, run("bundle", "verify", byB.toString(), "--previous", t1, "--trust", f.toString(), "--profile",
                "avr8"));
        assertTrue(last.err().contains("trust file " + f + " refused")
                && last.err().contains("not signed by the current threshold"), last.err());
    }

    @Test
    @DisplayName("trust --previous warns when it revokes a key the previous file trusted, and not otherwise")
    void rotationRevokingAKeyWarns(@TempDir Path dir) throws Exception {
        for (String k : new String[] {"a", "b", "c"}) {
            assertEquals(0, run("bundle", "keygen", "--alg", "ed25519", "--out", dir.resolve(k).toString()), last.err());
        }
        String t1 = dir.resolve("t1.json").toString();
        assertEquals(0, run("bundle", "trust", "--key", dir.resolve("a/public.pem").toString(), "--key",
                dir.resolve("b/public.pem").toString(), "--threshold", "2", "--out", t1), last.err());
        assertEquals(0, run("bundle", "trust", "--previous", t1, "--key", dir.resolve("a/public.pem").toString(),
                "--key", dir.resolve("c/public.pem").toString(), "--threshold", "1", "--sign",
                dir.resolve("a/private.pem").toString(), "--sign", dir.resolve("b/private.pem").toString(), "--out",
                dir.resolve("t2.json").toString()), last.err());
        assertFalse(last.err().contains("warning"), "dropping a key without revoking it: " + last.err());
        assertEquals(0, run("bundle", "trust", "--previous", t1, "--key", dir.resolve("a/public.pem").toString(),
                "--key", dir.resolve("c/public.pem").toString(), "--threshold", "1", "--revoke",
                dir.resolve("b/public.pem").toString(), "--sign", dir.resolve("a/private.pem").toString(), "--sign",
                dir.resolve("b/private.pem").toString(), "--out", dir.resolve("t3.json").toString()), last.err());
        assertTrue(last.err().contains("warning: version 2 revokes") && last.err().contains("version 1's "
                + "threshold (2) or this version's (1 of its keys)"), last.err());
    }

    @Test
    @DisplayName("counts one P-256 key given in compressed and uncompressed form once: no 2-of-2 from one key")
    void oneKeyTwoEncodings(@TempDir Path dir) throws Exception {
        run("bundle", "keygen", "--alg", "p256", "--out", dir.resolve("k").toString());
        byte[] der = java.util.Base64.getMimeDecoder().decode(Files.readString(dir.resolve("k/public.pem"))
                .replaceAll("-----[A-Z ]+-----", ""));
        var info = org.bouncycastle.asn1.x509.SubjectPublicKeyInfo.getInstance(der);
        byte[] point = org.bouncycastle.asn1.sec.SECNamedCurves.getByName("secp256r1").getCurve()
                .decodePoint(info.getPublicKeyData().getOctets()).getEncoded(true);
        byte[] compressed = new org.bouncycastle.asn1.x509.SubjectPublicKeyInfo(info.getAlgorithm(), point)
                .getEncoded("DER");
        Files.writeString(dir.resolve("k/public-compressed.pem"), "-----BEGIN PUBLIC KEY-----\n"
                + java.util.Base64.getMimeEncoder().encodeToString(compressed) + "\n-----END PUBLIC KEY-----\n");
        assertEquals(1, run("bundle", "trust", "--key", dir.resolve("k/public.pem").toString(), "--key",
                dir.resolve("k/public-compressed.pem").toString(), "--threshold", "2", "--out",
                dir.resolve("trust.json").toString()));
        assertEquals("edgeloop: --key " + dir.resolve("k/public-compressed.pem") + " holds the same key as --key "
                + dir.resolve("k/public.pem") + " (key id ", last.err().substring(0, last.err().indexOf("(key id ")
                + 8));
    }

    @Test
    @DisplayName("reports bad input in one line: missing model files, unknown algorithm, unknown profile")
    void badInput(@TempDir Path dir) throws Exception {
        assertEquals(1, run("bundle", "keygen", "--alg", "rsa", "--out", dir.resolve("k").toString()));
        assertTrue(last.err().contains("ed25519, p256") && last.err().contains("--alg"), last.err());
        run("bundle", "keygen", "--alg", "ed25519", "--out", dir.resolve("k").toString());
        Path empty = Files.createDirectories(dir.resolve("empty"));
        assertEquals(1, run("bundle", "create", "--model", empty.toString(), "--name", "m", "--sequence", "1", "--key",
                dir.resolve("k/private.pem").toString(), "--out", dir.resolve("x.tar").toString()));
        assertTrue(last.err().contains("model.json"), last.err());
        assertEquals(1, run("bundle", "keygen", "--alg", "ed25519", "--out", dir.resolve("k").toString()));
        assertTrue(last.err().contains("refusing to overwrite"), last.err());
    }

    @Test
    @DisplayName("refuses one key given twice (same file or a copy) instead of writing two signatures by it")
    void duplicateKeys(@TempDir Path dir) throws Exception {
        run("bundle", "keygen", "--alg", "ed25519", "--out", dir.resolve("k1").toString());
        Files.copy(dir.resolve("k1/private.pem"), dir.resolve("copy.pem"));
        Path bundle = dir.resolve("b.tar");
        for (String second : new String[] {dir.resolve("k1/private.pem").toString(), dir.resolve("copy.pem").toString()}) {
            assertEquals(1, run("bundle", "create", "--model", modelDir(dir, "jvm").toString(), "--name", "m",
                    "--sequence", "1", "--key", dir.resolve("k1/private.pem").toString(), "--key", second,
                    "--runtime", "edgeloop-int", "--out", bundle.toString()));
            String e = last.err().trim();
            assertEquals(1, e.lines().count(), e);
            assertTrue(e.contains("--key") && e.contains(second), e);
            assertFalse(Files.exists(bundle), "nothing written");
        }
    }

    @Test
    @DisplayName("names the option in one line when an option's value is out of range or malformed")
    void optionErrorsNameTheOption(@TempDir Path dir) throws Exception {
        run("bundle", "keygen", "--alg", "ed25519", "--out", dir.resolve("k").toString());
        String model = modelDir(dir, "jvm").toString();
        String key = dir.resolve("k/private.pem").toString();
        String out = dir.resolve("x.tar").toString();
        String[][] cases = {
            {"--sequence", "-1"}, {"--sequence", "9223372036854775807"}, {"--epoch", "-2"}, {"--expires", "9223372036854775807"}, {"--expires", "0"},
            {"--version", "1.x"}, {"--runtime-versions", "garbage"}, {"--name", "Bad/Name"}};
        for (String[] c : cases) {
            List<String> args = new ArrayList<>(List.of("bundle", "create", "--model", model, "--name", "m",
                    "--sequence", "3", "--key", key, "--runtime", "edgeloop-int", "--out", out));
            int at = args.indexOf(c[0]);
            if (at >= 0) {
                args.set(at + 1, c[1]);
            } else {
                args.addAll(List.of(c[0], c[1]));
            }
            assertEquals(1, run(args.toArray(new String[0])), String.join(" ", c));
            String e = last.err().trim();
            assertEquals(1, e.lines().count(), e);
            assertTrue(e.contains(c[0]) && e.contains(c[1]), String.join(" ", c) + " -> " + e);
            // a parser's internals ("For input string") are not the user's business
            assertFalse(e.contains("For input string"), String.join(" ", c) + " -> " + e);
        }
        run("bundle", "trust", "--key", dir.resolve("k/public.pem").toString(), "--threshold", "1", "--out",
                dir.resolve("trust.json").toString());
        for (String[] c : new String[][] {{"--min-sequence", "-1"}, {"--min-epoch", "-1"}}) {
            assertEquals(1, run("bundle", "verify", out, "--trust", dir.resolve("trust.json").toString(), "--profile",
                    "jvm", c[0], c[1]));
            assertTrue(last.err().contains(c[0]), last.err());
        }
        for (String t : new String[] {"0", "5"}) {
            assertEquals(1, run("bundle", "trust", "--key", dir.resolve("k/public.pem").toString(), "--threshold", t,
                    "--out", dir.resolve("t2.json").toString()));
            assertTrue(last.err().contains("--threshold"), last.err());
        }
    }

    @Test
    @DisplayName("a trust file is read up to 256 KiB + 1 byte whatever its size says (/dev/zero, a FIFO), and a"
            + " directory given as bundle or trust file is named")
    void boundedTrustAndDirectories(@TempDir Path dir) throws Exception {
        run("bundle", "keygen", "--alg", "ed25519", "--out", dir.resolve("k").toString());
        assertEquals(0, run("bundle", "trust", "--key", dir.resolve("k/public.pem").toString(), "--threshold", "1",
                "--out", dir.resolve("trust.json").toString()), last.err());
        Path bundle = dir.resolve("m.bundle");
        assertEquals(0, run("bundle", "create", "--model", modelDir(dir, "avr8").toString(), "--name", "m",
                "--sequence", "1", "--key", dir.resolve("k/private.pem").toString(), "--runtime", "edgeloop-int",
                "--runtime-versions", "*", "--out", bundle.toString()), last.err());
        if (Files.exists(Path.of("/dev/zero"))) {
            assertEquals(1, run("bundle", "verify", bundle.toString(), "--trust", "/dev/zero", "--profile", "avr8"));
            assertTrue(last.err().contains("/dev/zero") && last.err().contains("larger than 262144 bytes"),
                    last.err());
        }
        Path fifo = dir.resolve("trust.fifo");
        Process mk = new ProcessBuilder("mkfifo", fifo.toString()).start();
        if (mk.waitFor() == 0) {
            // a writer that would send 1 MiB: the reader stops after 256 KiB + 1
            Process w = new ProcessBuilder("sh", "-c", "head -c 1048576 /dev/zero > '" + fifo + "'").start();
            try {
                assertEquals(1, run("bundle", "verify", bundle.toString(), "--trust", fifo.toString(), "--profile",
                        "avr8"));
                assertTrue(last.err().contains("larger than 262144 bytes"), last.err());
            } finally {
                w.destroyForcibly().waitFor();
            }
        }
        Path d = Files.createDirectories(dir.resolve("d"));
        assertEquals(1, run("bundle", "verify", bundle.toString(), "--trust", d.toString(), "--profile", "avr8"));
        assertTrue(last.err().contains(d.toString()) && last.err().contains("directory"), last.err());
        assertEquals(1, run("bundle", "verify", d.toString(), "--trust", dir.resolve("trust.json").toString(),
                "--profile", "avr8"));
        assertTrue(last.err().contains(d.toString()) && last.err().contains("directory"), last.err());
        assertEquals(1, last.err().trim().lines().count(), last.err());
    }

    private void assertOneLine(String check) {
        String e = last.err().trim();
        assertEquals(1, e.lines().count(), e);
        assertTrue(e.contains(": " + check + ": "), e);
    }

    @Test
    @DisplayName("bundle create --help shows the usage, with the bundle's own --version option")
    void createHelp() {
        assertEquals(0, run("bundle", "create", "--help"), last.err());
        assertTrue(last.out().contains("--version=SEMVER") && last.out().contains("--sequence"), last.out());
    }

    /** Starts the tool in a child JVM (another process, as two shell runs would be). */
    private static Process start(Path log, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"), Edgeloop.class.getName()));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    @Test
    @DisplayName("two 'bundle create' and two 'bundle trust' processes writing one --out at once each leave a whole "
            + "file")
    void concurrentRunsWithOneOut(@TempDir Path dir) throws Exception {
        assertEquals(0, run("bundle", "keygen", "--alg", "ed25519", "--out", dir.resolve("k1").toString()), last.err());
        assertEquals(0, run("bundle", "keygen", "--alg", "ed25519", "--out", dir.resolve("k2").toString()), last.err());
        Path model = modelDir(dir, "jvm");
        // a large C source, so the two writes overlap in time
        Files.writeString(model.resolve("model.c"), "/* " + "x".repeat(4 << 20) + " */");
        Path bundle = dir.resolve("out.bundle");
        Path trust = dir.resolve("trust.json");
        Path logs = Files.createDirectories(dir.resolve("logs"));
        for (int round = 0; round < 2; round++) {
            List<Process> running = new ArrayList<>();
            for (int w = 0; w < 2; w++) {
                running.add(start(logs.resolve("create-" + round + "-" + w), "bundle", "create", "--model",
                        model.toString(), "--name", "har", "--sequence", Integer.toString(4 + w), "--key",
                        dir.resolve("k" + (w + 1) + "/private.pem").toString(), "--runtime", "edgeloop-int",
                        "--runtime-versions", "*", "--out", bundle.toString()));
                // both trust both keys (either bundle verifies under either file); they differ in validity
                running.add(start(logs.resolve("trust-" + round + "-" + w), "bundle", "trust", "--key",
                        dir.resolve("k1/public.pem").toString(), "--key", dir.resolve("k2/public.pem").toString(),
                        "--threshold", "1", "--expires-days", Integer.toString(300 + w), "--out", trust.toString()));
            }
            for (Process p : running) {
                assertTrue(p.waitFor(120, java.util.concurrent.TimeUnit.SECONDS), "a run did not finish");
            }
            for (int k = 0; k < running.size(); k++) {
                assertEquals(0, running.get(k).exitValue(), "round " + round + ": " + listing(logs)
                        + Files.readString(logs.resolve((k % 2 == 0 ? "create-" : "trust-") + round + "-" + k / 2)));
            }
            // whichever runs renamed last: a whole bundle and a whole trust file, so the bundle verifies
            assertEquals(0, run("bundle", "verify", bundle.toString(), "--trust", trust.toString(), "--profile",
                    "jvm"), "round " + round + ": " + last.err());
            try (Stream<Path> left = Files.list(dir)) {
                assertEquals(List.of(), left.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".tmp"))
                        .toList(), "temporary files left");
            }
        }
    }

    @Test
    @DisplayName("SOURCE_DATE_EPOCH: bundle create records it as createdAt, counts --expires from it, and two runs "
            + "on the same inputs and keys write byte-identical bundles")
    void sourceDateEpochMakesBundlesReproducible(@TempDir Path dir) throws Exception {
        assertEquals(0, run("bundle", "keygen", "--alg", "ed25519", "--out", dir.resolve("k").toString()), last.err());
        Path model = modelDir(dir, "avr8");
        List<byte[]> bundles = new ArrayList<>();
        for (String name : List.of("a.bundle", "b.bundle")) {
            Path bundle = dir.resolve(name);
            // The variable is read from the environment, so the CLI runs as a child JVM.
            io.edgeloop.cli.ChildCli.runOk(java.util.Map.of("SOURCE_DATE_EPOCH", "1700000000"), "bundle", "create",
                    "--model", model.toString(), "--name", "har", "--sequence", "7", "--key",
                    dir.resolve("k/private.pem").toString(), "--expires", "3600", "--runtime", "edgeloop-int",
                    "--runtime-versions", "*", "--out", bundle.toString());
            bundles.add(Files.readAllBytes(bundle));
        }
        assertTrue(java.util.Arrays.equals(bundles.get(0), bundles.get(1)), "two runs, one SOURCE_DATE_EPOCH");
        byte[] manifest = io.edgeloop.ota.bundle.BundleArchive.read(new java.io.ByteArrayInputStream(bundles.get(0)),
                io.edgeloop.ota.bundle.BundleLimits.DEFAULT).entries().get("manifest.json");
        JsonNode m = new ObjectMapper().readTree(manifest);
        assertEquals("2023-11-14T22:13:20Z", m.get("createdAt").asText(), m.toString());
        assertEquals("2023-11-14T23:13:20Z", m.get("expiresAt").asText(), m.toString());
    }

    /** Keys in {@code k}, a 1-of-1 trust file, and a bundle of model "har" for cortex-m3 at the given sequence. */
    private Path oneKeyBundle(Path dir, long sequence) throws Exception {
        assertEquals(0, run("bundle", "keygen", "--alg", "ed25519", "--out", dir.resolve("k").toString()), last.err());
        assertEquals(0, run("bundle", "trust", "--key", dir.resolve("k/public.pem").toString(), "--threshold", "1",
                "--out", dir.resolve("trust.json").toString()), last.err());
        Path out = dir.resolve("har.bundle");
        assertEquals(0, run("bundle", "create", "--model", modelDir(dir, "cortex-m3").toString(),
                "--name", "har", "--sequence", String.valueOf(sequence), "--key", dir.resolve("k/private.pem")
                        .toString(), "--runtime", "edgeloop-int", "--out", out.toString()), last.err());
        return out;
    }

    @Test
    @DisplayName("verify and inspect read a bundle from a pipe (a FIFO) instead of refusing it as 'Illegal seek'")
    void bundleFromAPipe(@TempDir Path dir) throws Exception {
        Path b = oneKeyBundle(dir, 7);
        Path fifo = dir.resolve("pipe");
        Process mk = new ProcessBuilder("mkfifo", fifo.toString()).redirectErrorStream(true).start();
        org.junit.jupiter.api.Assumptions.assumeTrue(mk.waitFor() == 0 && Files.exists(fifo), "mkfifo is needed to make a pipe");
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
        Path b = oneKeyBundle(dir, 7);
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
        Path b = oneKeyBundle(dir, 1_700_000_000L);
        assertTrue(last.out().contains("har 1.0.0+sequence.1700000000 sequence 1700000000"), last.out());
        assertEquals(0, run("bundle", "verify", b.toString(), "--trust", dir.resolve("trust.json").toString(),
                "--profile", "cortex-m3"), last.err());
        assertEquals("1.7.0", BundleCreateCommand.defaultVersion(7));
        assertEquals("1.999999999.0", BundleCreateCommand.defaultVersion(999_999_999L));
        assertEquals("1.0.0+sequence." + Long.MAX_VALUE, BundleCreateCommand.defaultVersion(Long.MAX_VALUE));
        io.edgeloop.ota.bundle.BundleManifest.checkVersion(BundleCreateCommand.defaultVersion(Long.MAX_VALUE));
    }
}

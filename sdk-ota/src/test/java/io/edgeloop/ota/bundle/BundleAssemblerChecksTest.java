package io.edgeloop.ota.bundle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.api.target.TargetProfile;
import io.edgeloop.ota.json.CanonicalJson;
import io.edgeloop.ota.testing.Fixtures;
import io.edgeloop.ota.trust.KeyAlgorithm;
import io.edgeloop.ota.trust.SigningKey;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@link BundleAssembler} checks before it signs (review s7 loop items 2 and 7), on the test-only
 * {@code test-int} runtime: every artifact loads and reproduces its golden vectors, and the directories are one
 * model; and what it takes from report.json into the lineage (nulls stay absent).
 */
class BundleAssemblerChecksTest {
    private static final SigningKey KEY = Fixtures.key(KeyAlgorithm.ED25519, 17);

    @TempDir
    Path dir;

    /** A directory for a target: test-linear model of {@code seed} with the given names, golden of {@code goldenSeed}. */
    private Path modelDir(TargetProfile t, int seed, int goldenSeed, String names) throws Exception {
        return modelDir(t, seed, goldenSeed, names, "");
    }

    /** The same, with more report.json members ({@code "k":v,} each). */
    private Path modelDir(TargetProfile t, int seed, int goldenSeed, String names, String report) throws Exception {
        Path d = Files.createDirectories(dir.resolve("q-" + t.id() + "-" + seed + "-" + goldenSeed + names.hashCode()));
        String model = new String(Fixtures.model(seed), StandardCharsets.UTF_8);
        Files.writeString(d.resolve("model.json"), "{" + names + model.substring(1));
        Files.writeString(d.resolve("report.json"), "{" + report + "\"target\":\"" + t.id() + "\",\"scheme\":\"int8\","
                + "\"inputSize\":3,\"outputSize\":2}");
        Files.write(d.resolve("golden.json"), CanonicalJson.bytes(Fixtures.golden(goldenSeed, 4).toJson()));
        return d;
    }

    private static BundleAssembler assembler() {
        return new BundleAssembler().name("har").sequence(1).runtime("test-int", ">=1.0.0 <2.0.0");
    }

    @Test
    @DisplayName("a model.json the runtime cannot load is refused by name, and nothing is written")
    void unloadableArtifactIsNotSigned() throws Exception {
        Path d = modelDir(TargetProfile.AVR8, 1, 1, "");
        byte[] full = Files.readAllBytes(d.resolve("model.json"));
        Files.write(d.resolve("model.json"), Arrays.copyOf(full, full.length / 2));
        Path out = dir.resolve("b.bundle");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> assembler().model(d).write(List.of(KEY), false, out));
        assertTrue(e.getMessage().startsWith(d.resolve("model.json") + " fails the check devices run, so it is not "
                + "signed: golden-vectors: the runtime cannot load the artifact: "), e.getMessage());
        assertFalse(Files.exists(out));
    }

    @Test
    @DisplayName("golden vectors the artifact does not reproduce are refused before signing")
    void goldenMismatchIsNotSigned() throws Exception {
        Path d = modelDir(TargetProfile.AVR8, 1, 2, "");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> assembler().model(d).assemble());
        assertTrue(e.getMessage().contains("fails the check devices run, so it is not signed: golden-vectors: vector 0"),
                e.getMessage());
    }

    @Test
    @DisplayName("directories with other features or classes are not one model; the same names for two targets are")
    void oneModelPerBundle() throws Exception {
        String abc = "\"features\":[\"a\",\"b\",\"c\"],\"classes\":[\"no\",\"yes\"],";
        Path avr = modelDir(TargetProfile.AVR8, 1, 1, abc);
        Path reordered = modelDir(TargetProfile.JVM, 1, 1, "\"features\":[\"a\",\"c\",\"b\"],\"classes\":[\"no\",\"yes\"],");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> assembler().model(avr).model(reordered).assemble());
        assertEquals(avr + " and " + reordered + " hold different models (a bundle carries one model, built for one or "
                + "more targets): features [a, b, c] vs [a, c, b]", e.getMessage());
        Path otherClasses = modelDir(TargetProfile.JVM, 1, 1, "\"features\":[\"a\",\"b\",\"c\"],\"classes\":[\"0\",\"1\"],");
        e = assertThrows(IllegalArgumentException.class, () -> assembler().model(avr).model(otherClasses).assemble());
        assertTrue(e.getMessage().endsWith(": classes [no, yes] vs [0, 1]"), e.getMessage());
        Path unnamed = modelDir(TargetProfile.JVM, 1, 1, "");
        e = assertThrows(IllegalArgumentException.class, () -> assembler().model(avr).model(unnamed).assemble());
        assertTrue(e.getMessage().endsWith(": features [a, b, c] vs (none recorded)"), e.getMessage());
        Path same = modelDir(TargetProfile.JVM, 1, 1, abc);
        assertEquals(2, assembler().model(avr).model(same).assemble().getKey().artifacts().size());
    }

    @Test
    @DisplayName("a report.json figure that is null (not measured: no compiler) is absent from the lineage, never the "
            + "text \"null\"")
    void nullReportFiguresStayAbsent() throws Exception {
        // what quantize writes without the target's compiler (SizeReport)
        Path d = modelDir(TargetProfile.AVR8, 1, 1, "", "\"flashBytes\":null,\"ramBytes\":null,\"stackBytes\":null,"
                + "\"ramBytesWithBuffers\":null,\"fits\":null,\"estimatedFlashBytes\":12,\"sizeSource\":\"not measured\",");
        BundleManifest m = assembler().model(d).assemble().getKey();
        java.util.Map<String, String> q = m.lineage().quantization();
        for (String k : List.of("flashBytes", "ramBytes", "stackBytes", "ramBytesWithBuffers", "fits")) {
            assertFalse(q.containsKey("avr8." + k), k + ": " + q);
        }
        assertEquals("12", q.get("avr8.estimatedFlashBytes"));
        assertEquals("not measured", q.get("avr8.sizeSource"));
        assertFalse(q.containsValue("null"), q.toString());
        assertFalse(new String(m.canonicalBytes(), StandardCharsets.UTF_8).contains("null"), "manifest text");
        assertEquals(m.lineage().quantization(), BundleVerifier.parseManifest(m.canonicalBytes()).lineage()
                .quantization(), "round trip");
    }

    @Test
    @DisplayName("a lineage setting read from a manifest is a string: JSON null reads as absent, a number is refused "
            + "naming it")
    void lineageSettingsAreStrings() throws Exception {
        BundleManifest m = assembler().model(modelDir(TargetProfile.JVM, 1, 1, "")).assemble().getKey();
        com.fasterxml.jackson.databind.node.ObjectNode tree = (com.fasterxml.jackson.databind.node.ObjectNode)
                CanonicalJson.parse(m.canonicalBytes());
        com.fasterxml.jackson.databind.node.ObjectNode quantization = (com.fasterxml.jackson.databind.node.ObjectNode)
                tree.path("lineage").path("quantization");
        quantization.putNull("jvm.flashBytes");
        Lineage read = BundleVerifier.parseManifest(CanonicalJson.bytes(tree)).lineage();
        assertFalse(read.quantization().containsKey("jvm.flashBytes"), read.quantization().toString());
        assertEquals(m.lineage().quantization(), read.quantization());
        quantization.put("jvm.flashBytes", 1200);
        BundleVerificationException e = assertThrows(BundleVerificationException.class,
                () -> BundleVerifier.parseManifest(CanonicalJson.bytes(tree)));
        assertEquals(Check.MANIFEST, e.check());
        assertTrue(e.getMessage().contains("lineage.quantization.jvm.flashBytes must be a string, got number"),
                e.getMessage());
    }
}

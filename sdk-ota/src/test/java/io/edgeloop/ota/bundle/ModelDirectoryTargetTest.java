package io.edgeloop.ota.bundle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.edgeloop.api.target.CpuCore;
import io.edgeloop.api.target.TargetProfile;
import io.edgeloop.ota.json.CanonicalJson;
import io.edgeloop.ota.testing.Fixtures;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The board {@link ModelDirectory} bundles a model for: model.json's {@code targetProfile}, which must agree with
 * model.json's {@code target} and report.json's; any contradiction or a board it cannot know is a one-line
 * refusal naming the file, never another board.
 */
@DisplayName("A model directory's target")
class ModelDirectoryTargetTest {
    private static final TargetProfile BOARD = TargetProfile.builder().id("team-board").core(CpuCore.CORTEX_M0PLUS)
            .hardwareVariant("stm32l031k6").flashBytes(32 * 1024).ramBytes(8 * 1024).build();

    @TempDir
    Path dir;

    /**
     * A directory whose model.json is the test-linear model with {@code members} ({@code "k":v,} each) in front, and
     * whose report.json names {@code reportTarget}.
     */
    private Path modelDir(String members, String reportTarget) throws IOException {
        Path d = Files.createTempDirectory(dir, "q");
        String model = new String(Fixtures.model(1), StandardCharsets.UTF_8);
        Files.writeString(d.resolve("model.json"), "{" + members + model.substring(1));
        Files.writeString(d.resolve("report.json"), "{\"target\":\"" + reportTarget + "\",\"scheme\":\"int8\","
                + "\"inputSize\":3,\"outputSize\":2}");
        Files.write(d.resolve("golden.json"), CanonicalJson.bytes(Fixtures.golden(1, 4).toJson()));
        return d;
    }

    private static String profile(Map<String, Object> p) throws IOException {
        return "\"targetProfile\":" + CanonicalJson.mapper().writeValueAsString(p) + ",";
    }

    private static String refusal(Path d) {
        return assertThrows(IOException.class, () -> ModelDirectory.read(d)).getMessage();
    }

    @Test
    @DisplayName("model.json's stored board is read back when model.json and report.json name it")
    void agreeingDirectoryReadsItsBoard() throws IOException {
        Path d = modelDir("\"target\":\"team-board\"," + profile(BOARD.toMap()), "team-board");
        assertEquals(BOARD, ModelDirectory.read(d).target());
        assertEquals("artifacts/team-board/model.json", ModelDirectory.read(d).path());
    }

    @Test
    @DisplayName("a model.json for avr8 beside a report.json for cortex-m3 is refused, not bundled for cortex-m3")
    void modelTargetContradictingReportIsRefused() throws IOException {
        Path d = modelDir("\"target\":\"avr8\",", "cortex-m3");
        assertEquals(d.resolve("model.json") + " is for target 'avr8' but report.json says 'cortex-m3'; quantize the "
                + "model again", refusal(d));
    }

    @Test
    @DisplayName("a model.json whose target contradicts its own targetProfile is refused, whatever report.json says")
    void modelContradictingItselfIsRefused() throws IOException {
        Path d = modelDir("\"target\":\"avr8\"," + profile(BOARD.toMap()), "team-board");
        assertEquals(d.resolve("model.json") + " contradicts itself: its target is 'avr8' but its targetProfile is "
                + "for 'team-board'; quantize the model again", refusal(d));
        Path other = modelDir("\"target\":\"team-board\"," + profile(BOARD.toMap()), "avr8");
        assertEquals(other.resolve("model.json") + " is for target 'team-board' but report.json says 'avr8'; quantize "
                + "the model again", refusal(other));
    }

    @Test
    @DisplayName("an id no built-in profile has, without a stored profile, is refused naming the id and the built-ins")
    void unknownIdWithoutProfileIsRefused() throws IOException {
        String expected = "unknown target 'team-board' and model.json holds no targetProfile (written before boards "
                + "of one's own were stored); built-in targets: avr8, cortex-m0, cortex-m3, cortex-m4f, jvm; quantize "
                + "the model again";
        Path d = modelDir("\"target\":\"team-board\",", "team-board");
        assertEquals(d.resolve("report.json") + ": " + expected, refusal(d));
        Path noTarget = modelDir("", "team-board");
        assertEquals(noTarget.resolve("report.json") + ": " + expected, refusal(noTarget));
    }

    @Test
    @DisplayName("a corrupt stored profile (wordBits 2^40, not an object) is a one-line refusal naming the field")
    void corruptProfileIsRefusedByName() throws IOException {
        Map<String, Object> huge = new LinkedHashMap<>(BOARD.toMap());
        huge.put("wordBits", 1L << 40);
        Path d = modelDir("\"target\":\"team-board\"," + profile(huge), "team-board");
        // used to escape as ArithmeticException (Math.toIntExact in TargetProfile.fromMap)
        assertEquals(d.resolve("model.json") + ": invalid targetProfile: target profile field 'wordBits' must be 8, "
                + "16 or 32, got 1099511627776", refusal(d));
        Path text = modelDir("\"target\":\"team-board\",\"targetProfile\":\"team-board\",", "team-board");
        assertEquals(text.resolve("model.json") + ": invalid targetProfile: it must be an object, got \"team-board\"",
                refusal(text));
    }
}

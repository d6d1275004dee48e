package io.edgeloop.quantize.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.edgeloop.api.provenance.Provenance;
import io.edgeloop.api.target.CpuCore;
import io.edgeloop.api.target.TargetProfile;
import io.edgeloop.quantize.scheme.Scheme;
import java.io.IOException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** model.json holds the whole target profile, so a model for a board of one's own reads back without a provider. */
@DisplayName("A quantized model for a board of one's own")
class CustomProfileFormatTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** No provider of this id is on the test class path. */
    static final TargetProfile BOARD = TargetProfile.builder().id("team-board").core(CpuCore.CORTEX_M0PLUS)
            .hardwareVariant("stm32l031k6").wordBits(32).fpu(false).flashBytes(32 * 1024).ramBytes(8 * 1024).build();

    private static QuantizedArtifact forBoard() {
        QuantizedArtifact a = ModelFormatTest.artifact("logistic", Scheme.INT8);
        return new QuantizedArtifact(a.model(), BOARD, a.calibration(),
                Provenance.capture("quantized-model", CustomProfileFormatTest.class).build());
    }

    @Test
    @DisplayName("reads back with its whole profile and predicts the same")
    void roundTripsTheWholeProfile() throws IOException {
        QuantizedArtifact a = forBoard();
        byte[] bytes = ModelFormat.toBytes(a);
        QuantizedArtifact b = ModelFormat.fromBytes(bytes);
        assertEquals(BOARD, b.target());
        assertArrayEquals(bytes, ModelFormat.toBytes(b));
        ObjectNode root = (ObjectNode) JSON.readTree(bytes);
        assertEquals("team-board", root.path("target").asText());
        assertEquals("cortex-m0plus", root.path("targetProfile").path("core").asText());
        assertEquals(8192, root.path("targetProfile").path("ramBytes").asInt());
        for (int[] in : GoldenVectors.inputs(a.model(), 50, 3)) {
            assertArrayEquals(a.predict(in), b.predict(in));
        }
    }

    @Test
    @DisplayName("a file holding only a built-in id (written before profiles were stored) still reads")
    void oldIdOnlyFileReads() throws IOException {
        ObjectNode root = (ObjectNode) JSON.readTree(ModelFormat.toBytes(ModelFormatTest.artifact("logistic",
                Scheme.INT8)));
        root.remove("targetProfile");
        assertFalse(root.has("targetProfile"));
        assertEquals(TargetProfile.AVR8, ModelFormat.fromBytes(JSON.writeValueAsBytes(root)).target());
    }

    @Test
    @DisplayName("refuses an unknown core naming it, a custom id without its profile, and altered built-in values")
    void refusesWhatItCannotTrust() throws IOException {
        ObjectNode root = (ObjectNode) JSON.readTree(ModelFormat.toBytes(forBoard()));
        ((ObjectNode) root.path("targetProfile")).put("core", "riscv32");
        IOException core = assertThrows(IOException.class, () -> ModelFormat.fromBytes(JSON.writeValueAsBytes(root)));
        assertTrue(core.getMessage().contains("'riscv32'") && core.getMessage().contains("cortex-m0plus"),
                core.getMessage());

        root.remove("targetProfile");
        IOException noProfile = assertThrows(IOException.class,
                () -> ModelFormat.fromBytes(JSON.writeValueAsBytes(root)));
        assertTrue(noProfile.getMessage().contains("'team-board'"), noProfile.getMessage());

        ObjectNode avr = (ObjectNode) JSON.readTree(ModelFormat.toBytes(ModelFormatTest.artifact("logistic",
                Scheme.INT8)));
        ((ObjectNode) avr.path("targetProfile")).put("ramBytes", 8192);
        IOException altered = assertThrows(IOException.class, () -> ModelFormat.fromBytes(JSON.writeValueAsBytes(avr)));
        assertTrue(altered.getMessage().contains("differs from the built-in profile 'avr8'"), altered.getMessage());
    }

    @Test
    @DisplayName("a corrupt profile number (wordBits 2^40) is a one-line refusal naming the field and its range")
    void corruptNumberIsRefusedByName() throws IOException {
        ObjectNode root = (ObjectNode) JSON.readTree(ModelFormat.toBytes(forBoard()));
        // the reader used to throw ArithmeticException (Math.toIntExact) here, which no caller catches
        ((ObjectNode) root.path("targetProfile")).put("wordBits", 1L << 40);
        IOException bits = assertThrows(IOException.class, () -> ModelFormat.fromBytes(JSON.writeValueAsBytes(root)));
        assertEquals("Invalid quantized model: target profile field 'wordBits' must be 8, 16 or 32, got 1099511627776",
                bits.getMessage());
        ((ObjectNode) root.path("targetProfile")).put("wordBits", 32).put("ramBytes", 0);
        IOException ram = assertThrows(IOException.class, () -> ModelFormat.fromBytes(JSON.writeValueAsBytes(root)));
        assertEquals("Invalid quantized model: target profile field 'ramBytes' must be an integer from 1 to "
                + Long.MAX_VALUE + ", got 0", ram.getMessage());
        ((ObjectNode) root.path("targetProfile")).put("ramBytes", 8192).put("endianness", "big");
        IOException order = assertThrows(IOException.class, () -> ModelFormat.fromBytes(JSON.writeValueAsBytes(root)));
        assertTrue(order.getMessage().contains("core cortex-m0plus is little-endian"), order.getMessage());
    }
}

package io.edgeloop.quantize.codegen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.edgeloop.api.target.CpuCore;
import io.edgeloop.api.target.TargetProfile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The toolchain follows from the profile's core, never the host compiler in place of an unknown target. */
@DisplayName("Toolchain for a target profile")
class ToolchainProfileTest {
    @Test
    @DisplayName("refuses an id it does not know instead of building with the host compiler")
    void refusesUnknownTarget() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Toolchain.forTarget("stm32l031"));
        assertTrue(e.getMessage().contains("'stm32l031'") && e.getMessage().contains("avr8"), e.getMessage());
    }

    @Test
    @DisplayName("builds a board of one's own for its core, and an AVR board for its own part")
    void followsTheCore() {
        TargetProfile m0plus = TargetProfile.builder().id("stm32l031").core(CpuCore.CORTEX_M0PLUS)
                .hardwareVariant("stm32l031k6").flashBytes(32 * 1024).ramBytes(8 * 1024).build();
        assertEquals(List.of("-mcpu=cortex-m0plus", "-mthumb", "-Os"), Toolchain.forProfile(m0plus).flags());
        TargetProfile mega = TargetProfile.builder().id("mega").core(CpuCore.AVR).hardwareVariant("atmega2560")
                .wordBits(8).flashBytes(256 * 1024).ramBytes(8 * 1024).build();
        Toolchain avr = Toolchain.forProfile(mega);
        assertEquals("avr-gcc", avr.compiler());
        assertEquals(List.of("-mmcu=atmega2560", "-Os"), avr.flags());
        assertSame(Toolchain.AVR, Toolchain.forProfile(TargetProfile.AVR8));
        assertSame(Toolchain.HOST, Toolchain.forProfile(TargetProfile.JVM));
        TargetProfile odd = TargetProfile.builder().id("odd").core(CpuCore.AVR).hardwareVariant("ATmega 2560; rm")
                .wordBits(8).flashBytes(1).ramBytes(1).build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Toolchain.forProfile(odd));
        assertTrue(e.getMessage().contains("not an avr-gcc MCU name"), e.getMessage());
    }

    @Test
    @DisplayName("an AVR board whose MCU avr-gcc does not know is refused as that, not as C that did not compile")
    void unknownMcuIsNamed(@TempDir Path dir) throws Exception {
        TargetProfile odd = TargetProfile.builder().id("mega9999").core(CpuCore.AVR).hardwareVariant("atmega9999")
                .wordBits(8).flashBytes(256 * 1024).ramBytes(8 * 1024).build();
        Toolchain avr = Toolchain.forProfile(odd); // the syntax is fine: only the compiler knows its MCUs
        assumeTrue(avr.available(), "avr-gcc is not installed");
        Files.writeString(dir.resolve("model.h"), "int model_answer(void);\n");
        Files.writeString(dir.resolve("model.c"), "#include \"model.h\"\nint model_answer(void) { return 42; }\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> avr.measureDetailed(dir));
        assertEquals("avr-gcc does not know MCU atmega9999 (profile mega9999's hardwareVariant); avr-gcc "
                + "--target-help lists the MCUs it knows", e.getMessage());
    }
}

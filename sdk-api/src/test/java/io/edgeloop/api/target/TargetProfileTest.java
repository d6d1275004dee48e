package io.edgeloop.api.target;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Target profiles")
class TargetProfileTest {
    @Test
    @DisplayName("describe the ATmega328P as 8-bit with 32 KiB flash and 2 KiB RAM")
    void avr8() {
        TargetProfile p = TargetProfile.of("avr8");
        assertEquals(8, p.wordBits());
        assertEquals(32 * 1024, p.flashBytes());
        assertEquals(2 * 1024, p.ramBytes());
        assertFalse(p.hasFpu());
        assertEquals(Endianness.LITTLE, p.endianness());
    }

    @Test
    @DisplayName("include every built-in id and only the M4F and JVM have an FPU")
    void builtIns() {
        assertEquals(5, TargetProfile.builtIn().size());
        assertTrue(TargetProfile.of("cortex-m4f").hasFpu());
        assertTrue(TargetProfile.of("jvm").hasFpu());
        assertFalse(TargetProfile.of("cortex-m0").hasFpu());
        assertFalse(TargetProfile.of("cortex-m3").hasFpu());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TargetProfile.of("esp32"));
        assertTrue(e.getMessage().contains("avr8, cortex-m0, cortex-m3, cortex-m4f, jvm"), e.getMessage());
    }

    @Test
    @DisplayName("reject invalid word sizes with a message")
    void validates() {
        assertThrows(IllegalArgumentException.class, () -> TargetProfile.builder().id("x").hardwareVariant("y")
                .wordBits(12).flashBytes(1).ramBytes(1).build());
    }
}

package io.edgeloop.api.target;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.util.LinkedHashMap;
import java.util.Map;
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
                .core(CpuCore.HOST).wordBits(12).flashBytes(1).ramBytes(1).build());
    }

    @Test
    @DisplayName("give every built-in its core and require a core consistent with word size and FPU")
    void cores() {
        assertEquals(CpuCore.AVR, TargetProfile.AVR8.core());
        assertEquals(CpuCore.CORTEX_M0, TargetProfile.CORTEX_M0.core());
        assertEquals(CpuCore.CORTEX_M3, TargetProfile.CORTEX_M3.core());
        assertEquals(CpuCore.CORTEX_M4F, TargetProfile.CORTEX_M4F.core());
        assertEquals(CpuCore.HOST, TargetProfile.JVM.core());
        IllegalArgumentException none = assertThrows(IllegalArgumentException.class, () -> TargetProfile.builder()
                .id("board").hardwareVariant("y").flashBytes(1).ramBytes(1).build());
        assertTrue(none.getMessage().contains("needs a CPU core"), none.getMessage());
        IllegalArgumentException bits = assertThrows(IllegalArgumentException.class, () -> TargetProfile.builder()
                .id("board").core(CpuCore.AVR).hardwareVariant("atmega2560").wordBits(32).flashBytes(1).ramBytes(1)
                .build());
        assertTrue(bits.getMessage().contains("avr is 8-bit"), bits.getMessage());
        TargetProfile a = TargetProfile.builder().id("board").core(CpuCore.CORTEX_M0).hardwareVariant("x")
                .flashBytes(1).ramBytes(1).build();
        TargetProfile b = TargetProfile.builder().id("board").core(CpuCore.CORTEX_M0PLUS).hardwareVariant("x")
                .flashBytes(1).ramBytes(1).build();
        assertFalse(a.equals(b));
        assertTrue(b.toString().contains("cortex-m0plus"), b.toString());
    }

    @Test
    @DisplayName("refuse a big-endian profile: every core Edgeloop builds for is little-endian")
    void bigEndianContradictsEveryCore() {
        for (CpuCore core : CpuCore.values()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TargetProfile.builder()
                    .id("board").core(core).hardwareVariant("x").wordBits(core.wordBits()).fpu(core.hasFpu())
                    .flashBytes(1).ramBytes(1).endianness(Endianness.BIG).build(), core.id());
            assertEquals("TargetProfile 'board': core " + core.id() + " is little-endian (every core Edgeloop builds "
                    + "for is: AVR, Cortex-M as arm-none-eabi-gcc and qemu run it, x86-64 and arm64 hosts), but "
                    + "endianness is big", e.getMessage());
        }
        Map<String, Object> stored = new LinkedHashMap<>(TargetProfile.CORTEX_M3.toMap());
        stored.put("id", "board");
        stored.put("endianness", "big");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TargetProfile.fromMap(stored));
        assertTrue(e.getMessage().contains("core cortex-m3 is little-endian"), e.getMessage());
    }

    @Test
    @DisplayName("read back a stored profile's numbers only in range, naming the field and the range")
    void fromMapRefusesOutOfRangeNumbers() {
        Map<String, Object> good = new LinkedHashMap<>(TargetProfile.AVR8.toMap());
        good.put("id", "board");
        assertEquals("board", TargetProfile.fromMap(good).id());
        // 2^40 and 10^12 used to throw ArithmeticException from Math.toIntExact
        Object[][] bad = {{"wordBits", 1L << 40, "must be 8, 16 or 32, got 1099511627776"},
            {"wordBits", 1_000_000_000_000L, "must be 8, 16 or 32, got 1000000000000"},
            {"wordBits", -8, "must be 8, 16 or 32, got -8"},
            {"wordBits", 1e12, "must be 8, 16 or 32, got 1.0E12"},
            {"flashBytes", BigInteger.TWO.pow(70), "must be an integer from 1 to 9223372036854775807, got "
                    + BigInteger.TWO.pow(70)},
            {"flashBytes", 0, "must be an integer from 1 to 9223372036854775807, got 0"},
            {"ramBytes", -1L, "must be an integer from 1 to 9223372036854775807, got -1"},
            {"ramBytes", "2048", "must be an integer from 1 to 9223372036854775807, got 2048"}};
        for (Object[] c : bad) {
            Map<String, Object> m = new LinkedHashMap<>(good);
            m.put((String) c[0], c[1]);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TargetProfile.fromMap(m),
                    c[0] + " = " + c[1]);
            assertEquals("target profile field '" + c[0] + "' " + c[2], e.getMessage());
        }
    }
}

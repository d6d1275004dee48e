package io.edgeloop.quantize.parity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.api.target.CpuCore;
import io.edgeloop.api.target.TargetProfile;
import io.edgeloop.quantize.TestModels;
import io.edgeloop.quantize.codegen.CCodeGenerator;
import io.edgeloop.quantize.ir.FloatModel;
import io.edgeloop.quantize.runtime.IntModel;
import io.edgeloop.quantize.scheme.Calibration;
import io.edgeloop.quantize.scheme.ModelQuantizer;
import io.edgeloop.quantize.scheme.Scheme;
import java.io.IOException;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Parity for a board of one's own runs on the emulator of its core and says which machine that was. */
@DisplayName("Parity on a board of one's own")
class CustomBoardParityTest {
    static final TargetProfile STM32L031 = TargetProfile.builder().id("stm32l031").core(CpuCore.CORTEX_M0PLUS)
            .hardwareVariant("stm32l031k6").flashBytes(32 * 1024).ramBytes(8 * 1024).build();

    private static IntModel mlp() {
        Object[] m = TestModels.all(6).get("mlp");
        return new ModelQuantizer(Scheme.INT8, Calibration.MIN_MAX).quantize((FloatModel) m[0], (double[][]) m[1]);
    }

    @Test
    @DisplayName("a Cortex-M0+ board runs on qemu microbit, built with -mcpu=cortex-m0plus, 0 mismatches")
    void cortexM0PlusBoardRunsOnMicrobit() throws IOException {
        Assumptions.assumeTrue(ParityHarness.missingTools(ParityTarget.CORTEX_M0).isEmpty(),
                "arm-none-eabi-gcc and qemu-system-arm are needed");
        IntModel model = mlp();
        ParityResult r = new ParityHarness(300).run(model, new CCodeGenerator().generate(model, STM32L031), STM32L031,
                300, 11);
        assertEquals(0, r.mismatches(), r.toString());
        assertEquals("stm32l031", r.target());
        assertEquals("microbit", r.simulatedMcu());
        assertTrue(r.cyclesSource().startsWith("not measured: qemu-system-arm (machine microbit) does not count "
                + "cycles"), r.cyclesSource());
        assertTrue(r.flashBytes() > 0 && r.flashBytes() < STM32L031.flashBytes(), r.toString());
    }

    @Test
    @DisplayName("an AVR board runs in simavr on its own part, built with -mmcu= of it, its cycles counted there")
    void avrBoardRunsOnItsOwnPart() throws IOException {
        Assumptions.assumeTrue(ParityHarness.missingTools(ParityTarget.AVR8).isEmpty(), "avr-gcc and simavr are needed");
        TargetProfile mega = TargetProfile.builder().id("mega-board").core(CpuCore.AVR).hardwareVariant("atmega2560")
                .wordBits(8).flashBytes(256 * 1024).ramBytes(8 * 1024).build();
        IntModel model = mlp();
        ParityResult r = new ParityHarness(300).run(model, new CCodeGenerator().generate(model, mega), mega, 300, 5);
        assertEquals(0, r.mismatches(), r.toString());
        assertEquals("mega-board", r.target());
        assertEquals("atmega2560", r.simulatedMcu());
        assertTrue(r.cyclesPerInference().isPresent(), r.toString());
        assertEquals("atmega2560", r.toMap().get("cyclesMcu"));
    }

    @Test
    @DisplayName("an AVR board whose part simavr does not simulate is refused naming the part")
    void unsimulatedAvrPartIsNamed() {
        Assumptions.assumeTrue(ParityHarness.missingTools(ParityTarget.AVR8).isEmpty(), "avr-gcc and simavr are needed");
        TargetProfile tiny = TargetProfile.builder().id("tiny-board").core(CpuCore.AVR).hardwareVariant("attiny9")
                .wordBits(8).flashBytes(1024).ramBytes(32).build();
        IntModel model = mlp();
        IOException e = assertThrows(IOException.class, () -> new ParityHarness(120).run(model,
                new CCodeGenerator().generate(model, tiny), tiny, 10, 1));
        assertTrue(e.getMessage().contains("simavr does not simulate its part attiny9"), e.getMessage());
    }

    @Test
    @DisplayName("an AVR part simavr simulates but the test driver cannot use (attiny13: no USART0, no Timer1) is "
            + "refused in one line naming what the driver needs, before any compiler runs")
    void avrPartWithoutDriverPeripheralsIsRefusedUpFront() {
        TargetProfile tiny = TargetProfile.builder().id("tiny-board").core(CpuCore.AVR).hardwareVariant("attiny13")
                .wordBits(8).flashBytes(1024).ramBytes(64).build();
        IntModel model = mlp();
        // it used to reach avr-gcc, whose errors about UDR0, TCCR1B, TIMSK1, ... filled the message (2 KB and more)
        IOException e = assertThrows(IOException.class, () -> new ParityHarness(120).run(model,
                new CCodeGenerator().generate(model, tiny), tiny, 10, 1));
        String m = e.getMessage();
        assertTrue(m.startsWith("Cannot run parity for tiny-board: the test driver needs USART0 (UDR0, UCSR0A, UCSR0B) "
                + "and Timer1 with its overflow interrupt (TCNT1, TIMSK1, TIFR1), which the attiny13 does not have as "
                + "avr-libc names them; it runs on atmega48, ") && m.contains(", atmega328p, ")
                && m.endsWith(", atmega2560 (avr8 is the atmega328p: the same AVR core, for the model's arithmetic)")
                && !m.contains("\n"), m);
    }
}

package io.edgeloop.quantize.parity;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.OptionalLong;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Why a parity result has no cycle count follows where its image ran ({@link ParityResult#simulatedMcu()}), not its
 * target id: a board of one's own on qemu was told "host runs report no cycle figure".
 */
@DisplayName("The reason a parity run counted no cycles")
class CyclesSourceTest {
    private static ParityResult ran(String target, String machine, OptionalLong largerPartCycles) {
        return new ParityResult(target, 300, 0, 1, 1, 10, 1000, 100, OptionalLong.empty(), 0, 1, machine,
                largerPartCycles);
    }

    @Test
    @DisplayName("a board of one's own on qemu: qemu-system-arm does not count cycles, as for the built-in Cortex-M")
    void qemuRunsSayQemuCountsNoCycles() {
        assertEquals("not measured: qemu-system-arm (machine microbit) does not count cycles: it translates the code "
                + "without modelling CPU timing (its instruction counter is not a cycle count)",
                ran("stm32l031", "microbit", OptionalLong.empty()).cyclesSource());
        ParityResult builtIn = new ParityResult("cortex-m3", 300, 0, 1, 1, 10, 1000, 100, OptionalLong.empty(), 0, 1);
        assertEquals("not measured: qemu-system-arm (machine mps2-an385) does not count cycles: it translates the "
                + "code without modelling CPU timing (its instruction counter is not a cycle count)",
                builtIn.cyclesSource());
    }

    @Test
    @DisplayName("the host says host; an AVR board that fell back to the ATmega2560 says so with that part's count")
    void hostAndAvrFallBackSayTheirOwnReason() {
        assertEquals("not measured: host runs report no cycle figure",
                ran("jvm", "host", OptionalLong.empty()).cyclesSource());
        assertEquals("not measured on the board's own part: the parity image did not fit it and ran on the "
                + "atmega2560; the atmega2560 parity run counted 7814 (simulatedMcuCyclesPerInference), which is not "
                + "the count of the board's own part: calls, returns and interrupts take longer with its 3-byte "
                + "program counter", ran("mega-board", "atmega2560", OptionalLong.of(7814)).cyclesSource());
        assertEquals("not measured: the simavr run on the atmega644p timed no inference",
                ran("board-644", "atmega644p", OptionalLong.empty()).cyclesSource());
    }
}

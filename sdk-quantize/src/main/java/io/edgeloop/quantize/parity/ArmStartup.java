package io.edgeloop.quantize.parity;

/**
 * Bare-metal start-up code and linker script for the Cortex-M parity firmware: a vector table, {@code .data}
 * copy and {@code .bss} clearing, newlib semihosting ({@code initialise_monitor_handles}) and {@code exit}, which
 * ends qemu.
 *
 * <p>Thread-safe: constants only.
 */
final class ArmStartup {
    static final String STARTUP = "#include <stdint.h>\n#include <stdlib.h>\n"
            + "extern int main(void);\nextern void initialise_monitor_handles(void);\n"
            + "extern uint32_t _sidata, _sdata, _edata, _sbss, _ebss, _estack;\n"
            + "void _init(void);\nvoid _fini(void);\nvoid _init(void)\n{\n}\nvoid _fini(void)\n{\n}\n"
            + "void Reset_Handler(void);\nvoid Default_Handler(void);\n"
            + "void Default_Handler(void)\n{\n    for (;;) {\n    }\n}\n"
            + "void Reset_Handler(void)\n{\n    uint32_t *src = &_sidata;\n    uint32_t *dst = &_sdata;\n"
            // Hard-float builds: grant CP10/CP11 access (SCB->CPACR) before newlib's FP-ABI code can run.
            + "#if defined(__ARM_FP)\n    *(volatile uint32_t *)0xE000ED88u |= (UINT32_C(0xF) << 20);\n"
            + "    __asm volatile (\"dsb\\n\\tisb\" ::: \"memory\");\n#endif\n"
            + "    while (dst < &_edata) {\n        *dst++ = *src++;\n    }\n"
            + "    for (dst = &_sbss; dst < &_ebss; dst++) {\n        *dst = 0;\n    }\n"
            + "    initialise_monitor_handles();\n    exit(main());\n}\n"
            + "__attribute__((section(\".vectors\"), used)) static void (*const vectors[16])(void) = {\n"
            + "    (void (*)(void))(uintptr_t)&_estack, Reset_Handler, Default_Handler, Default_Handler,\n"
            + "    Default_Handler, Default_Handler, Default_Handler, 0, 0, 0, 0, Default_Handler, Default_Handler, 0,\n"
            + "    Default_Handler, Default_Handler\n};\n";

    private ArmStartup() {
    }

    static String linkerScript(int ramKiB) {
        return "MEMORY\n{\n  FLASH (rx) : ORIGIN = 0x00000000, LENGTH = 256K\n  RAM (rwx) : ORIGIN = 0x20000000, LENGTH = "
                + ramKiB + "K\n}\nENTRY(Reset_Handler)\nSECTIONS\n{\n"
                + "  .text :\n  {\n    KEEP(*(.vectors))\n    *(.text*)\n    *(.rodata*)\n    KEEP(*(.init))\n"
                + "    KEEP(*(.fini))\n    . = ALIGN(4);\n  } > FLASH\n"
                + "  .ARM.exidx :\n  {\n    *(.ARM.exidx*)\n  } > FLASH\n"
                + "  .init_array :\n  {\n    KEEP(*(.init_array*))\n  } > FLASH\n"
                + "  .fini_array :\n  {\n    KEEP(*(.fini_array*))\n  } > FLASH\n"
                + "  _sidata = LOADADDR(.data);\n"
                + "  .data :\n  {\n    . = ALIGN(4);\n    _sdata = .;\n    *(.data*)\n    . = ALIGN(4);\n    _edata = .;\n"
                + "  } > RAM AT > FLASH\n"
                + "  .bss (NOLOAD) :\n  {\n    . = ALIGN(4);\n    _sbss = .;\n    *(.bss*)\n    *(COMMON)\n    . = ALIGN(4);\n"
                + "    _ebss = .;\n  } > RAM\n"
                + "  . = ALIGN(8);\n  end = .;\n  _end = .;\n  __end__ = .;\n"
                + "  _estack = ORIGIN(RAM) + LENGTH(RAM);\n  __stack = _estack;\n}\n";
    }
}

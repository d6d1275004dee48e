package io.edgeloop.examples.customtarget;

import io.edgeloop.api.target.CpuCore;
import io.edgeloop.api.target.Endianness;
import io.edgeloop.api.target.TargetProfile;
import io.edgeloop.api.target.TargetProfileProvider;

/**
 * A board of one's own as a target profile: the STM32L031K6 (Cortex-M0+, 32 KiB flash, 8 KiB RAM, no FPU), selected
 * by id {@code stm32l031} ({@code edgeloop quantize --target stm32l031}, {@code quantize parity --target stm32l031},
 * {@code bundle verify --profile stm32l031}) once it is registered in
 * {@code META-INF/services/io.edgeloop.api.target.TargetProfileProvider} on the class path.
 *
 * <p>It lives in sdk-examples' test sources, registered by their resources, so {@code edgeloop.jar} neither holds
 * nor registers it: an example is not a board of the shipped tool (a team's own {@code stm32l031} would collide
 * with it). The README ("A board of one's own") builds it into a directory beside the jar, as a team builds its own.
 *
 * <p>The core decides the rest: the model is built with {@code arm-none-eabi-gcc -mcpu=cortex-m0plus -mthumb -Os},
 * sized against the board's 32 KiB and 8 KiB, and parity runs on qemu's {@code microbit} (a Cortex-M0, the same
 * ARMv6-M instruction set). Bundles name the hardware variant {@code stm32l031k6}; a device agent with this profile
 * installs them, one of another variant refuses them.
 *
 * <p>Thread-safe and cheap: the profile is a constant.
 */
public final class Stm32l031ProfileProvider implements TargetProfileProvider {
    /** The profile this provider supplies. */
    public static final TargetProfile STM32L031 = TargetProfile.builder().id("stm32l031").core(CpuCore.CORTEX_M0PLUS)
            .hardwareVariant("stm32l031k6").wordBits(32).fpu(false).flashBytes(32 * 1024).ramBytes(8 * 1024)
            .endianness(Endianness.LITTLE).build();

    /** Creates the provider. */
    public Stm32l031ProfileProvider() {
    }

    @Override
    public String name() {
        return "stm32l031";
    }

    @Override
    public TargetProfile profile() {
        return STM32L031;
    }
}

package io.edgeloop.tck.target;

import io.edgeloop.api.target.CpuCore;
import io.edgeloop.api.target.TargetProfile;
import io.edgeloop.api.target.TargetProfileProvider;

/** A correct board of one's own for the kit's own test: Cortex-M0+, 64 KiB flash, 8 KiB RAM. */
public final class TckBoardProvider implements TargetProfileProvider {
    static final TargetProfile BOARD = TargetProfile.builder().id("tck-board").core(CpuCore.CORTEX_M0PLUS)
            .hardwareVariant("tck-m0plus").flashBytes(64 * 1024).ramBytes(8 * 1024).build();

    /** Creates the provider. */
    public TckBoardProvider() {
    }

    @Override
    public String name() {
        return "tck-board";
    }

    @Override
    public TargetProfile profile() {
        return BOARD;
    }
}

package io.edgeloop.tck.target;

import io.edgeloop.api.target.CpuCore;
import io.edgeloop.api.target.TargetProfile;
import io.edgeloop.api.target.TargetProfileProvider;
import java.util.concurrent.atomic.AtomicLong;

/** Broken on purpose: a new RAM budget on every call, so two lookups disagree about the board. */
public final class DriftingBoardProvider implements TargetProfileProvider {
    private static final AtomicLong CALLS = new AtomicLong();

    /** Creates the provider. */
    public DriftingBoardProvider() {
    }

    @Override
    public String name() {
        return "drifting-board";
    }

    @Override
    public TargetProfile profile() {
        return TargetProfile.builder().id("drifting-board").core(CpuCore.CORTEX_M3).hardwareVariant("x")
                .flashBytes(64 * 1024).ramBytes(1024 + CALLS.incrementAndGet()).build();
    }
}

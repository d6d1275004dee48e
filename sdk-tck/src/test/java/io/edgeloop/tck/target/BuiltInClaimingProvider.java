package io.edgeloop.tck.target;

import io.edgeloop.api.target.TargetProfile;
import io.edgeloop.api.target.TargetProfileProvider;

/** Broken on purpose: claims the built-in id cortex-m3. */
public final class BuiltInClaimingProvider implements TargetProfileProvider {
    /** Creates the provider. */
    public BuiltInClaimingProvider() {
    }

    @Override
    public String name() {
        return "cortex-m3";
    }

    @Override
    public TargetProfile profile() {
        return TargetProfile.CORTEX_M3;
    }
}

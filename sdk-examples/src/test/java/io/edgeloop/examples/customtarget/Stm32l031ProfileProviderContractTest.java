package io.edgeloop.examples.customtarget;

import io.edgeloop.api.target.TargetProfileProvider;
import io.edgeloop.tck.TargetProfileProviderContractTest;

/** The sdk-tck target profile provider contract for the example board. */
class Stm32l031ProfileProviderContractTest extends TargetProfileProviderContractTest {
    @Override
    protected TargetProfileProvider provider() {
        return new Stm32l031ProfileProvider();
    }
}

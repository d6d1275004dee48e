package io.edgeloop.ota.agent;

import io.edgeloop.api.runtime.IntegerModel;
import java.util.Optional;

/**
 * Decides after the switch whether the new model is healthy (for example: latency, output range on live
 * inputs). The agent has already re-run the golden vectors on the switched slot.
 *
 * <p>The agent runs the check on its own thread, outside its lock (so {@link DeviceAgent#predict} keeps serving
 * the confirmed model meanwhile, and the check may call it), with a deadline ({@link DeviceAgent.Builder#healthTimeout},
 * default 30 s). A check that does not return in time, or that throws an exception or an {@link Error} (an
 * {@link AssertionError}, a {@link StackOverflowError}), counts as unhealthy: the agent rolls back and reports
 * {@link InstallOutcome#ROLLED_BACK} with {@code health check failed: <the throwable>} or the timeout. A timed-out
 * check's thread is interrupted and then left to end on its own. Only a {@link VirtualMachineError} such as
 * {@link OutOfMemoryError} is rethrown by the install, after the rollback.
 *
 * <p>Implementations must be thread-safe.
 */
@FunctionalInterface
public interface HealthCheck {
    /** Accepts every model that passed its golden vectors. */
    HealthCheck GOLDEN_ONLY = model -> Optional.empty();

    /**
     * @param model the newly active model
     * @return a reason when unhealthy, empty when healthy
     */
    Optional<String> check(IntegerModel model);
}

package io.edgeloop.ota.agent;

import io.edgeloop.api.runtime.IntegerModel;
import java.util.Optional;

/**
 * Decides after the switch whether the new model is healthy (for example: latency, output range on live
 * inputs). The agent has already re-run the golden vectors on the switched slot.
 *
 * <p>A check that throws a {@link RuntimeException} counts as unhealthy: the agent rolls back and reports
 * {@code health check failed: <the exception>}.
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

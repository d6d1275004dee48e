package io.edgeloop.ota.agent;

/**
 * Called at each {@link InstallStep}; throwing {@link SimulatedCrash} stops the install as a power cut would.
 * Used by tests and the fleet simulator.
 *
 * <p>Implementations must be thread-safe if shared between agents.
 */
@FunctionalInterface
public interface CrashInjector {
    /** Never crashes. */
    CrashInjector NONE = step -> { };

    /**
     * @param step the step just completed
     */
    void reached(InstallStep step);

    /**
     * Returns an injector that crashes once, at the given step.
     *
     * @param at the step
     * @return the injector
     */
    static CrashInjector at(InstallStep at) {
        return step -> {
            if (step == at) {
                throw new SimulatedCrash(step);
            }
        };
    }

    /** A simulated power cut. */
    final class SimulatedCrash extends RuntimeException {
        private static final long serialVersionUID = 1L;

        /**
         * @param step where it happened
         */
        public SimulatedCrash(InstallStep step) {
            super("simulated crash after " + step);
        }
    }
}

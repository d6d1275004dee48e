package io.edgeloop.ota.rollout;

/**
 * The life of a campaign.
 *
 * <p>Thread-safe: immutable.
 */
public enum CampaignState {
    /** Created, no wave run yet. */
    PLANNED,
    /** Between waves, ready for the next. */
    RUNNING,
    /** Paused by an operator; {@link Campaign#resume()} continues. */
    PAUSED,
    /** Stopped automatically: a wave crossed a threshold or the shadow gate failed. */
    HALTED,
    /** Stopped by an operator. */
    ABORTED,
    /**
     * Every wave ran: each passed its thresholds, or the last one did not and nothing was left to halt
     * ({@link Campaign#completedWithFailures()}).
     */
    COMPLETED
}

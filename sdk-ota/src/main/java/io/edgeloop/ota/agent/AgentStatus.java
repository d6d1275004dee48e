package io.edgeloop.ota.agent;

import io.edgeloop.ota.bundle.Check;
import java.util.Optional;

/**
 * A device's status report: what it runs, how its last install ended, and whether it runs on an older trust
 * root than it had stored.
 *
 * <p>Thread-safe: immutable.
 *
 * @param deviceId      the device
 * @param target        its target profile id
 * @param activeModel   name and version of the active model ({@code har 1.7.0}), empty when none
 * @param activeSequence the active model's sequence, -1 when none
 * @param committedEpoch the committed security epoch
 * @param lastOutcome   the last install's outcome, empty before any
 * @param lastCheck     the check that refused or rolled back the last install, if any
 * @param lastMessage   a one-line explanation of the last outcome; before any install since the agent started,
 *                      {@code no install yet}, or {@code no install since the restart; sequence N was attempted and
 *                      not confirmed ...} when the counters record an attempt after the confirmed sequence (an
 *                      install cut off by a restart, or one whose health check failed): the device then accepts
 *                      only sequence N + 1 or higher; and {@code ... runs sequence S, below its confirmed sequence
 *                      C ...} when the slot holding the confirmed model was lost and the device fell back to an
 *                      older confirmed slot, or {@code ... runs no model, though it confirmed sequence C ...} when
 *                      no slot verifies any more; either goes on with {@code the device reinstalls sequence C
 *                      (manifest <sha>) when offered, once ...} (only that manifest, a repair attempted once) or
 *                      {@code it cannot reinstall sequence C: ...} with the reason (no digest stored, the repair
 *                      already attempted). It stays so until C is repaired or a sequence above C is installed; a
 *                      poll that finds nothing to install says it too
 * @param trustDegraded why the device runs on an older trust root than the one it stored (a stored root did not
 *                      verify at start, or the stored chain was unreadable), empty when the stored chain verified;
 *                      the operator should re-provision the device with the current trust root
 * @param slotProblem   why the slot the boot record points at does not verify (for example a trust rotation
 *                      revoked its signers and the current root does not accept it either), when the device
 *                      therefore runs the other slot, no model, or a model that will not survive a restart;
 *                      empty when the active slot verifies
 */
public record AgentStatus(String deviceId, String target, Optional<String> activeModel, long activeSequence,
        long committedEpoch, Optional<InstallOutcome> lastOutcome, Optional<Check> lastCheck, String lastMessage,
        Optional<String> trustDegraded, Optional<String> slotProblem) {

    /**
     * A status without a slot problem (kept for callers compiled before {@code slotProblem}).
     *
     * @param deviceId       the device
     * @param target         its target profile id
     * @param activeModel    name and version of the active model, empty when none
     * @param activeSequence the active model's sequence, -1 when none
     * @param committedEpoch the committed security epoch
     * @param lastOutcome    the last install's outcome, empty before any
     * @param lastCheck      the check that refused or rolled back the last install, if any
     * @param lastMessage    a one-line explanation of the last outcome
     * @param trustDegraded  why the device runs on an older trust root than the one it stored, empty when none
     */
    public AgentStatus(String deviceId, String target, Optional<String> activeModel, long activeSequence,
            long committedEpoch, Optional<InstallOutcome> lastOutcome, Optional<Check> lastCheck, String lastMessage,
            Optional<String> trustDegraded) {
        this(deviceId, target, activeModel, activeSequence, committedEpoch, lastOutcome, lastCheck, lastMessage,
                trustDegraded, Optional.empty());
    }

    /**
     * A status whose trust chain verified (kept for callers compiled before {@code trustDegraded}).
     *
     * @param deviceId       the device
     * @param target         its target profile id
     * @param activeModel    name and version of the active model, empty when none
     * @param activeSequence the active model's sequence, -1 when none
     * @param committedEpoch the committed security epoch
     * @param lastOutcome    the last install's outcome, empty before any
     * @param lastCheck      the check that refused or rolled back the last install, if any
     * @param lastMessage    a one-line explanation of the last outcome
     */
    public AgentStatus(String deviceId, String target, Optional<String> activeModel, long activeSequence,
            long committedEpoch, Optional<InstallOutcome> lastOutcome, Optional<Check> lastCheck, String lastMessage) {
        this(deviceId, target, activeModel, activeSequence, committedEpoch, lastOutcome, lastCheck, lastMessage,
                Optional.empty(), Optional.empty());
    }
}

package io.edgeloop.ota.agent;

import io.edgeloop.ota.bundle.Check;
import java.util.Optional;

/**
 * A device's status report: what it runs and how its last install ended.
 *
 * @param deviceId      the device
 * @param target        its target profile id
 * @param activeModel   name and version of the active model ({@code har 1.7.0}), empty when none
 * @param activeSequence the active model's sequence, -1 when none
 * @param committedEpoch the committed security epoch
 * @param lastOutcome   the last install's outcome, empty before any
 * @param lastCheck     the check that refused or rolled back the last install, if any
 * @param lastMessage   a one-line explanation of the last outcome
 */
public record AgentStatus(String deviceId, String target, Optional<String> activeModel, long activeSequence,
        long committedEpoch, Optional<InstallOutcome> lastOutcome, Optional<Check> lastCheck, String lastMessage) {
}

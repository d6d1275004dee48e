package io.edgeloop.ota.agent;

import io.edgeloop.ota.bundle.Check;
import java.util.Optional;

/**
 * The result of one install attempt.
 *
 * <p>Thread-safe: immutable.
 *
 * @param outcome  how it ended
 * @param check    the failed check for {@link InstallOutcome#REFUSED} and {@link InstallOutcome#ROLLED_BACK}
 * @param message  one line
 * @param sequence the bundle's sequence, -1 when it could not be read
 */
public record InstallReport(InstallOutcome outcome, Optional<Check> check, String message, long sequence) {
}

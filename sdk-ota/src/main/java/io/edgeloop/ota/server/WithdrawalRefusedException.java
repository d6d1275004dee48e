package io.edgeloop.ota.server;

import java.io.IOException;

/**
 * {@link ChannelStore#withdraw} refused: nothing is published on the channel, or its trust root accepts (or may
 * once have accepted) the latest publication, so devices may have installed it and withdrawing it would offer them
 * lower sequences as new. Nothing was changed.
 *
 * <p>Not thread-safe (an exception).
 */
public class WithdrawalRefusedException extends IOException {
    private static final long serialVersionUID = 1L;

    /** @param message one line naming the channel, the publication and what to do instead */
    public WithdrawalRefusedException(String message) {
        super(message);
    }
}

package io.edgeloop.ota.server;

import java.io.IOException;

/**
 * A channel name is not valid: channels are 1-64 of {@code [a-z0-9._-]}, starting with a letter or digit. The
 * {@link UpdateServer} answers it with 400.
 *
 * <p>Not thread-safe (an exception).
 */
public class InvalidChannelNameException extends IOException {
    private static final long serialVersionUID = 1L;

    /**
     * @param channel the name given
     */
    public InvalidChannelNameException(String channel) {
        super("invalid channel name '" + channel + "': use 1-64 of [a-z0-9._-], starting with a letter or digit");
    }
}

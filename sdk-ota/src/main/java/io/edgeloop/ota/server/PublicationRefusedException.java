package io.edgeloop.ota.server;

import java.io.IOException;
import java.util.Objects;

/**
 * A {@link ChannelStore} refused to publish a bundle: it is not a readable bundle, its sequence is not above the
 * highest already published for its model name on the channel, or the channel carries another model. Nothing was
 * changed.
 *
 * <p>Not thread-safe (an exception).
 */
public class PublicationRefusedException extends IOException {
    private static final long serialVersionUID = 1L;

    /**
     * Why a publication was refused.
     *
     * <p>Thread-safe: an enum (immutable).
     */
    public enum Reason {
        /** The file is not a readable bundle, or its manifest does not parse. */
        UNREADABLE,
        /** The (name, sequence) is not above the channel's highest for that name (same bytes again excepted). */
        NOT_NEWER,
        /**
         * The channel already carries another model: a channel has one latest publication, so a second model's
         * bundle would hide the first model's releases from its devices. Publish it on its own channel.
         */
        OTHER_MODEL
    }

    /** Why it was refused. */
    private final Reason reason;

    /**
     * @param reason  why
     * @param message one line naming the file or the sequences
     * @param cause   the underlying failure, or null
     */
    public PublicationRefusedException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    /** @return why it was refused */
    public Reason reason() {
        return reason;
    }
}

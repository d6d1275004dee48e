package io.edgeloop.ota.server;

import io.edgeloop.ota.bundle.Check;
import java.io.IOException;
import java.util.Objects;
import java.util.Optional;

/**
 * A {@link ChannelStore} refused to publish a bundle: it is not a readable bundle, the store's trust root does not
 * accept it, its sequence is not above the highest already published for its model name on the channel, or the
 * channel carries another model. Nothing was changed.
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
        OTHER_MODEL,
        /**
         * The store was given a trust root and the bundle fails the verification devices holding that root apply
         * (signatures and threshold, expiry, entry set and digests; {@link #check()} names the failed check), so
         * every device would refuse it: recording its sequence would only burn the channel's sequences.
         */
        UNVERIFIED
    }

    /** Why it was refused. */
    private final Reason reason;
    /** The verification check that failed, when the refusal is one. */
    private final Check check;

    /**
     * @param reason  why
     * @param message one line naming the file or the sequences
     * @param cause   the underlying failure, or null
     */
    public PublicationRefusedException(Reason reason, String message, Throwable cause) {
        this(reason, null, message, cause);
    }

    /**
     * @param reason  why
     * @param check   the verification check that failed, or null when none did
     * @param message one line naming the file and what was wrong
     * @param cause   the underlying failure, or null
     */
    public PublicationRefusedException(Reason reason, Check check, String message, Throwable cause) {
        super(message, cause);
        this.reason = Objects.requireNonNull(reason, "reason");
        this.check = check;
    }

    /** @return the verification check that failed ({@link Reason#UNREADABLE} and {@link Reason#UNVERIFIED}) */
    public Optional<Check> check() {
        return Optional.ofNullable(check);
    }

    /** @return why it was refused */
    public Reason reason() {
        return reason;
    }
}

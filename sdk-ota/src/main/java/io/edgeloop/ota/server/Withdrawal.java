package io.edgeloop.ota.server;

import io.edgeloop.api.deploy.Publication;
import io.edgeloop.ota.bundle.Check;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * What {@link ChannelStore#withdraw} did: the publication it withdrew, the check its trust root refused it with,
 * where its bundle was moved, and the channel's latest publication now (its model's new sequence floor), if any.
 *
 * <p>Thread-safe: immutable.
 *
 * @param withdrawn the publication withdrawn (its {@code location} is where it was stored)
 * @param refusedBy the check the store's trust root refused its bundle with
 * @param movedTo   where its bundle is kept now ({@code <root>/withdrawn/<channel>/<sha256>.bundle})
 * @param restored  the channel's latest publication now: the highest-sequence bundle of the model stored on the
 *                  channel that the trust root accepts or may once have accepted; empty when there is none (the
 *                  channel is as if the model had never been published on it)
 */
public record Withdrawal(Publication withdrawn, Check refusedBy, Path movedTo, Optional<Publication> restored) {
    /** @throws NullPointerException when a component is null */
    public Withdrawal {
        Objects.requireNonNull(withdrawn, "withdrawn");
        Objects.requireNonNull(refusedBy, "refusedBy");
        Objects.requireNonNull(movedTo, "movedTo");
        Objects.requireNonNull(restored, "restored");
    }
}

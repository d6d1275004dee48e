package io.edgeloop.ota.server;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * A {@link ChannelStore} entry is not what the store writes there: a bundle, {@code latest.json},
 * {@code names.json} or {@code .lock} that is a directory, a symbolic link or a special file (FIFO, socket, device),
 * a channel directory that is not a directory, or (found by {@link ChannelStore#withdraw}, which reads every stored
 * bundle of the model) a {@code <sha256>.bundle} whose bytes do not have that digest. Something other than the store
 * put it there, so the store is damaged: reads of it fail with this exception instead of answering "nothing published"
 * or "no such bundle", and a publish (or withdrawal) refuses to replace it (nothing is changed). The {@link
 * UpdateServer} logs it at ERROR with the path (once per entry, and again when what is there changes: every polling
 * device hits it) and answers 500 saying the store is damaged, naming the entry by its place in the store only.
 *
 * <p>Not thread-safe (an exception).
 */
public class DamagedStoreException extends IOException {
    private static final long serialVersionUID = 1L;

    private final transient Path path;
    private final String entry;
    private final String found;

    /**
     * @param path  the damaged entry's absolute path
     * @param entry the entry relative to the store's root ({@code channels/stable/latest.json})
     * @param found what is there ({@code a directory})
     * @param wanted what the store keeps there ({@code a regular file})
     */
    public DamagedStoreException(Path path, String entry, String found, String wanted) {
        this(path, entry, found, wanted, "the store never makes one there",
                "Move it out of the store, then publish the channel's bundle again");
    }

    /**
     * @param path   the damaged entry's absolute path
     * @param entry  the entry relative to the store's root
     * @param found  what is there ({@code a file whose SHA-256 is ...})
     * @param wanted what the store keeps there ({@code the bundle its name gives})
     * @param why    why it cannot be the store's own ({@code the store names a bundle by its SHA-256})
     * @param fix    what the operator does about it, a sentence
     */
    public DamagedStoreException(Path path, String entry, String found, String wanted, String why, String fix) {
        super("the channel store is damaged: " + Objects.requireNonNull(path, "path") + " is "
                + Objects.requireNonNull(found, "found") + ", not " + Objects.requireNonNull(wanted, "wanted")
                + " (" + Objects.requireNonNull(why, "why") + "); nothing was changed. "
                + Objects.requireNonNull(fix, "fix"));
        this.path = path;
        this.entry = Objects.requireNonNull(entry, "entry");
        this.found = found;
    }

    /** @return the damaged entry's absolute path (null once deserialised) */
    public Path path() {
        return path;
    }

    /** @return the entry relative to the store's root, for answers to clients that must not learn server paths */
    public String entry() {
        return entry;
    }

    /** @return what is there instead ({@code a directory}, {@code a symbolic link}, ...) */
    public String found() {
        return found;
    }
}

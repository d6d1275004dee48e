package io.edgeloop.buffer.wire;

import java.util.Locale;
import java.util.Objects;

/**
 * Compression of a batch body on the wire. Each constant has a stable one-byte code written into the batch
 * header and a configuration name ({@code none}, {@code gzip}, {@code lz4}).
 *
 * <p>Thread-safe: an enum.
 */
public enum Compression {
    /** The body is stored as is. */
    NONE(0, "none"),
    /** The body is one gzip member (RFC 1952), written and read through commons-compress. */
    GZIP(1, "gzip"),
    /** The body is one LZ4 frame (LZ4 frame format 1.6.x), pure Java through commons-compress. */
    LZ4(2, "lz4");

    private final int code;
    private final String configName;

    Compression(int code, String configName) {
        this.code = code;
        this.configName = configName;
    }

    /** @return the one-byte code written into the batch header */
    public int code() {
        return code;
    }

    /** @return the name used in configuration ({@code compression=...}) */
    public String configName() {
        return configName;
    }

    /**
     * Returns the compression with the given header code.
     *
     * @param code the header code
     * @return the compression
     * @throws IllegalArgumentException when no compression has that code
     */
    public static Compression fromCode(int code) {
        for (Compression c : values()) {
            if (c.code == code) {
                return c;
            }
        }
        throw new IllegalArgumentException("Unknown compression code " + code + "; known: 0 (none), 1 (gzip), 2 (lz4)");
    }

    /**
     * Parses a configuration name, case-insensitively.
     *
     * @param name {@code none}, {@code gzip} or {@code lz4}
     * @return the compression
     * @throws IllegalArgumentException when the name is unknown
     */
    public static Compression parse(String name) {
        Objects.requireNonNull(name, "name");
        String n = name.trim().toLowerCase(Locale.ROOT);
        for (Compression c : values()) {
            if (c.configName.equals(n)) {
                return c;
            }
        }
        throw new IllegalArgumentException("Unknown compression '" + name + "'; expected one of none, gzip, lz4");
    }
}

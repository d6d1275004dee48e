package io.edgeloop.buffer.log;

import java.util.regex.Pattern;

/**
 * The closing {@code crc32c=<hex>} line of the buffer's text files ({@code buffer.id}, {@code sequences},
 * {@code cursors/*.cursor}). Writers put the CRC-32C in lower-case hex without leading zeros; readers compare the
 * value, so a file whose line carries leading zeros (written by {@code %08x}, as other tools do) is intact, not
 * damaged.
 *
 * <p>Thread-safe: stateless.
 */
public final class CrcTextLine {
    /** 1 to 8 lower-case hex digits: a CRC-32C, with or without leading zeros. */
    private static final Pattern HEX = Pattern.compile("[0-9a-f]{1,8}");

    private CrcTextLine() {
    }

    /**
     * Whether the text after {@code crc32c=} states a CRC.
     *
     * @param stored the text after {@code crc32c=}, surrounding white space allowed
     * @param crc    the CRC-32C computed over the bytes before the line
     * @return true when {@code stored} is 1 to 8 lower-case hex digits whose value is {@code crc}
     */
    public static boolean matches(String stored, long crc) {
        String s = stored.trim();
        return HEX.matcher(s).matches() && Long.parseLong(s, 16) == crc;
    }
}

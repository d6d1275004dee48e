package io.edgeloop.buffer;

import java.nio.charset.StandardCharsets;

/** Checkable payloads: record {@code seq} holds "{@code <seq>;}" repeated and cut to the size. */
public final class Payloads {
    private Payloads() {
    }

    /**
     * @param seq  the sequence
     * @param size the size
     * @return the payload
     */
    public static byte[] of(long seq, int size) {
        byte[] unit = (seq + ";").getBytes(StandardCharsets.US_ASCII);
        byte[] out = new byte[size];
        for (int i = 0; i < size; i++) {
            out[i] = unit[i % unit.length];
        }
        return out;
    }
}

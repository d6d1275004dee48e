package io.edgeloop.cli.buffer;

import io.edgeloop.buffer.DurableBuffer;
import io.edgeloop.buffer.log.FrameFormat;
import io.edgeloop.buffer.policy.Durability;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code edgeloop buffer append}: appends checkable records. Record {@code seq} carries the ASCII text
 * {@code "<seq>;"} repeated and cut to exactly SIZE bytes. Each time the stream's durable watermark advances it
 * prints {@code durable <seq>} and flushes at once, so a process killed at any moment has announced only records
 * that are durable.
 *
 * <p>Not thread-safe: one instance per invocation.
 */
@Command(name = "append", mixinStandardHelpOptions = true,
        description = "Append N checkable records; print 'durable <seq>' whenever the durable watermark advances.")
public final class BufferAppendCommand implements Callable<Integer> {
    @Spec
    private picocli.CommandLine.Model.CommandSpec spec;

    /** The segment size append writes: the buffer's default, given explicitly because it bounds {@code --size}. */
    static final long SEGMENT_BYTES = 4L << 20;

    @Option(names = "--dir", required = true, paramLabel = "DIR", description = "The buffer directory.")
    private Path dir;

    @Option(names = "--stream", defaultValue = "default", paramLabel = "S", description = "The stream (default: ${DEFAULT-VALUE}).")
    private String stream;

    @Option(names = "--count", defaultValue = "1", paramLabel = "N", description = "Records to append (default: ${DEFAULT-VALUE}).")
    private long count;

    @Option(names = "--size", defaultValue = "100", paramLabel = "BYTES", description = "Payload size, 0 to just under 4 MiB (a record fits in one segment) (default: "
            + "${DEFAULT-VALUE}).")
    private int size;

    @Option(names = "--sync", defaultValue = "group:5", paramLabel = "POLICY",
            description = "always, group:MS or none (default: ${DEFAULT-VALUE}).")
    private String sync;

    @Option(names = "--device", paramLabel = "ID", description = "Device id of the idempotency keys (default: the one stored in the buffer; a new buffer "
            + "without --device gets the id 'device').")
    private String device;

    /**
     * Sets {@code --device} on the builder; its refusal (blank, a control character) names the option and value.
     *
     * @param builder the buffer's builder
     * @param device  the option's value
     * @return the builder
     */
    static DurableBuffer.Builder deviceId(DurableBuffer.Builder builder, String device) {
        try {
            return builder.deviceId(device);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--device '" + io.edgeloop.ota.bundle.PrintableText.of(device) + "': "
                    + e.getMessage(), e);
        }
    }

    @Override
    public Integer call() throws Exception {
        if (count < 0) {
            throw new IllegalArgumentException("--count must not be negative, got " + count);
        }
        // checked before a payload is built: --size 2147483647 used to fail allocating it (out of memory). A record
        // must fit in one segment, so below the format's 16 MiB the segment size decides.
        long max = Math.min(FrameFormat.MAX_PAYLOAD, SEGMENT_BYTES - FrameFormat.SEGMENT_HEADER
                - FrameFormat.frameSize(stream.getBytes(StandardCharsets.UTF_8).length, 0));
        if (size < 0 || size > max) {
            throw new IllegalArgumentException("--size must be between 0 and " + max + " bytes (the largest payload "
                    + "of stream '" + stream + "' in the 4 MiB segments append writes), got " + size);
        }
        Durability durability;
        try {
            durability = Durability.parse(sync);
        } catch (IllegalArgumentException e) {
            // no cause: the one-line error would append the parser's "For input string: ..."
            throw new IllegalArgumentException("--sync: " + e.getMessage());
        }
        GatewayMark.refuseAppend(dir);
        PrintWriter out = spec.commandLine().getOut();
        Object printLock = new Object();
        DurableBuffer.Builder builder = DurableBuffer.builder().directory(dir).segmentBytes(SEGMENT_BYTES)
                .durability(durability)
                .durabilityListener((s, seq) -> {
                    if (s.equals(stream)) {
                        synchronized (printLock) {
                            out.println("durable " + seq);
                            out.flush();
                        }
                    }
                });
        if (device != null) {
            deviceId(builder, device);
        }
        try (DurableBuffer buffer = WritableBufferDirectory.open(builder, dir)) {
            // Not a count of records (after an open that found the end of the log lost it is the floor), but the
            // next append gets the one after it, which is all this needs: each payload names its own sequence.
            long seq = buffer.lastSequence(stream);
            for (long i = 0; i < count; i++) {
                seq++;
                if (durability.mode() == Durability.Mode.GROUP) {
                    buffer.appendAsync(stream, 0, payload(seq, size));
                } else {
                    buffer.append(stream, payload(seq, size));
                }
            }
            buffer.flush();
        }
        return 0;
    }

    /**
     * Returns the checkable payload of a record.
     *
     * @param seq  the record's sequence
     * @param size the payload size
     * @return {@code "<seq>;"} repeated and cut to {@code size} bytes
     */
    public static byte[] payload(long seq, int size) {
        byte[] unit = (seq + ";").getBytes(StandardCharsets.US_ASCII);
        byte[] out = new byte[size];
        for (int i = 0; i < size; i++) {
            out[i] = unit[i % unit.length];
        }
        return out;
    }
}

package io.edgeloop.buffer.receiver;

import io.edgeloop.api.transport.Batch;
import io.edgeloop.api.transport.Envelope;
import io.edgeloop.buffer.wire.BatchCodec;
import io.edgeloop.buffer.wire.BatchFormatException;
import io.edgeloop.buffer.wire.Compression;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Reads a directory filled by the {@code file-drop} transport (a USB stick carried to a connected machine):
 * every complete batch file ({@code *.elb}, not starting with {@code .}), in name order. Temporary files of
 * interrupted writes start with {@code .} and are ignored; a file that is not a valid batch is reported in
 * {@link Result#problems()} and never stops the others from being read.
 *
 * <p>Thread-safe: stateless.
 */
public final class DropDirectoryReader {
    /** The suffix of complete batch files. */
    public static final String SUFFIX = ".elb";

    private final BatchCodec codec;

    /**
     * Creates a reader with the default batch size limit.
     */
    public DropDirectoryReader() {
        this(BatchCodec.of(Compression.NONE));
    }

    /**
     * @param codec the codec whose size limit applies
     */
    public DropDirectoryReader(BatchCodec codec) {
        this.codec = Objects.requireNonNull(codec, "codec");
    }

    /**
     * What was read: the envelopes of every valid file (duplicates included, in file-name order) and one line per
     * file that could not be read. Immutable.
     *
     * @param envelopes the envelopes
     * @param problems  the unreadable files with the reason
     */
    public record Result(List<Envelope> envelopes, List<String> problems) {
        /**
         * Copies the lists.
         *
         * @param envelopes the envelopes
         * @param problems  the problems
         */
        public Result {
            envelopes = List.copyOf(envelopes);
            problems = List.copyOf(problems);
        }
    }

    /**
     * Reads every complete batch file in the directory.
     *
     * @param dir the directory
     * @return the envelopes and problems
     * @throws IOException when the directory itself cannot be listed
     */
    public Result read(Path dir) throws IOException {
        TreeMap<String, Path> files = new TreeMap<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                String n = p.getFileName().toString();
                if (!n.startsWith(".") && n.endsWith(SUFFIX) && Files.isRegularFile(p)) {
                    files.put(n, p);
                }
            }
        }
        List<Envelope> envelopes = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (Path p : files.values()) {
            try {
                if (Files.size(p) > codec.maxBatchBytes() + (long) BatchCodec.HEADER_BYTES) {
                    problems.add(p.getFileName() + ": larger than the batch limit of " + codec.maxBatchBytes()
                            + " bytes");
                    continue;
                }
                Batch b = codec.decode(Files.readAllBytes(p));
                envelopes.addAll(b.envelopes());
            } catch (BatchFormatException e) {
                problems.add(p.getFileName() + ": " + e.getMessage());
            } catch (IOException e) {
                problems.add(p.getFileName() + ": cannot read: " + e);
            }
        }
        return new Result(envelopes, problems);
    }
}

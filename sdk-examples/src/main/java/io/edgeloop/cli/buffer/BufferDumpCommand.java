package io.edgeloop.cli.buffer;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.edgeloop.api.provenance.Sha256;
import io.edgeloop.buffer.BufferReader;
import io.edgeloop.buffer.BufferedRecord;
import io.edgeloop.buffer.DurableBuffer;
import io.edgeloop.buffer.log.SequenceMarks;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code edgeloop buffer dump}: prints every readable record, one line each. Opens the buffer read-only, so damaged
 * files are reported (see {@code verify}) but never modified, and never make it fail. When the {@code sequences}
 * file holds a floor (a writable open found the end of the log lost, so sequences jump above it), a note saying so
 * goes to stderr, keeping stdout one line per record.
 *
 * <p>Not thread-safe: one instance per invocation.
 */
@Command(name = "dump", mixinStandardHelpOptions = true,
        description = "Print every readable record: stream, seq, size and SHA-256 of the payload.")
public final class BufferDumpCommand implements Callable<Integer> {
    @Spec
    private picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--dir", required = true, paramLabel = "DIR", description = "The buffer directory.")
    private Path dir;

    @Option(names = "--stream", paramLabel = "S", description = "Only this stream.")
    private String stream;

    @Option(names = "--json", description = "One JSON object per line: {\"stream\",\"seq\",\"size\",\"sha256\"}.")
    private boolean json;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        ObjectMapper mapper = new ObjectMapper();
        try (DurableBuffer buffer = DurableBuffer.builder().directory(dir).readOnly(true).open()) {
            if (stream != null && !buffer.streams().contains(stream)) {
                // a misspelt stream used to print nothing and exit 0, as a stream with no records left would
                throw new IllegalArgumentException("--stream " + stream + ": buffer " + dir + " has no such stream; "
                        + (buffer.streams().isEmpty() ? "it has no streams" : "its streams: "
                        + String.join(", ", new java.util.TreeSet<>(buffer.streams()))));
            }
            BufferReader reader = buffer.reader();
            for (List<BufferedRecord> batch = reader.next(1000, 8 << 20); !batch.isEmpty();
                    batch = reader.next(1000, 8 << 20)) {
                for (BufferedRecord r : batch) {
                    if (stream != null && !stream.equals(r.stream())) {
                        continue;
                    }
                    String sha = Sha256.hex(r.payloadBytes());
                    if (json) {
                        Map<String, Object> m = new LinkedHashMap<>();
                        m.put("stream", r.stream());
                        m.put("seq", r.sequence());
                        m.put("size", r.payloadSize());
                        m.put("sha256", sha);
                        out.println(mapper.writeValueAsString(m));
                    } else {
                        out.println(r.stream() + " " + r.sequence() + " " + r.payloadSize() + " " + sha);
                    }
                }
            }
        }
        out.flush();
        Optional<SequenceMarks> marks = SequenceMarks.read(dir);
        if (marks.isPresent() && marks.get().floor() > 0) {
            PrintWriter err = spec.commandLine().getErr();
            err.println("note: sequence floor " + marks.get().floor() + " (a writable open found the end of the log"
                    + " lost; every stream continues above it, so the numbers jump there)");
            err.flush();
        }
        return 0;
    }
}

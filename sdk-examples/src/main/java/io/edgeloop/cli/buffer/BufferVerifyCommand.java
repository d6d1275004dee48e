package io.edgeloop.cli.buffer;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.edgeloop.buffer.BufferReader;
import io.edgeloop.buffer.BufferedRecord;
import io.edgeloop.buffer.DurableBuffer;
import io.edgeloop.buffer.log.Loss;
import io.edgeloop.buffer.log.LossReport;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code edgeloop buffer verify}: reads every frame of a buffer read-only and reports records per stream, the
 * highest durable sequence per stream, corrupt frames skipped and bytes a reopen would truncate. Exits 0 whatever
 * the damage; non-zero only when the directory cannot be used at all.
 *
 * <p>Not thread-safe: one instance per invocation.
 */
@Command(name = "verify", mixinStandardHelpOptions = true,
        description = "Check every frame; report records per stream, highest durable sequence, corrupt frames, truncated bytes.")
public final class BufferVerifyCommand implements Callable<Integer> {
    @Spec
    private picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--dir", required = true, paramLabel = "DIR", description = "The buffer directory.")
    private Path dir;

    @Option(names = "--json", description = "Print the report as one JSON object.")
    private boolean json;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Map<String, long[]> streams = new TreeMap<>();
        LossReport report;
        long epoch;
        String device;
        try (DurableBuffer buffer = DurableBuffer.builder().directory(dir).readOnly(true).open()) {
            BufferReader reader = buffer.reader();
            for (List<BufferedRecord> batch = reader.next(1000, 8 << 20); !batch.isEmpty();
                    batch = reader.next(1000, 8 << 20)) {
                for (BufferedRecord r : batch) {
                    long[] s = streams.computeIfAbsent(r.stream(), k -> new long[2]);
                    s[0]++;
                    s[1] = Math.max(s[1], r.sequence());
                }
            }
            report = buffer.lossReport();
            epoch = buffer.epoch();
            device = buffer.deviceId();
        }
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("directory", dir.toString());
        r.put("device", device);
        r.put("epoch", epoch);
        Map<String, Object> perStream = new LinkedHashMap<>();
        streams.forEach((name, s) -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("records", s[0]);
            m.put("highestDurableSeq", s[1]);
            perStream.put(name, m);
        });
        r.put("streams", perStream);
        r.put("corruptFramesSkipped", report.corruptFrames());
        r.put("corruptBytes", report.corruptBytes());
        r.put("bytesTruncated", report.truncatedBytes());
        List<Map<String, Object>> losses = new ArrayList<>();
        for (Loss l : report.losses()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("file", l.file());
            m.put("offset", l.offset());
            m.put("length", l.length());
            m.put("kind", l.kind().name());
            losses.add(m);
        }
        r.put("losses", losses);
        if (json) {
            out.println(new ObjectMapper().writeValueAsString(r));
        } else {
            out.println("buffer " + dir + " (device " + device + ", epoch " + epoch + ")");
            streams.forEach((name, s) -> out.println("  stream " + name + ": " + s[0] + " records, highest durable seq "
                    + s[1]));
            out.println("  corrupt frames skipped: " + report.corruptFrames() + " (" + report.corruptBytes()
                    + " bytes), bytes truncated: " + report.truncatedBytes());
            for (Loss l : report.losses()) {
                out.println("  " + l.kind() + " in " + l.file() + " at " + l.offset() + ", " + l.length() + " bytes");
            }
        }
        out.flush();
        return 0;
    }
}

package io.edgeloop.cli.buffer;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.edgeloop.api.record.SensorRecordCodec;
import io.edgeloop.buffer.BufferReader;
import io.edgeloop.buffer.BufferedRecord;
import io.edgeloop.buffer.DurableBuffer;
import io.edgeloop.buffer.log.BufferIdentity;
import io.edgeloop.buffer.log.Loss;
import io.edgeloop.buffer.log.LossReport;
import io.edgeloop.buffer.log.SequenceMarks;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code edgeloop buffer verify}: reads every frame of a buffer read-only and reports records per stream, the
 * highest durable sequence per stream, corrupt frames skipped, bytes a reopen would truncate, and records known
 * lost (sequences missing where a segment was deleted or truncated, per stream with the range), per stream at most how
 * many records a corrupt region of a sealed segment took (from the segment's footer), and the sequence
 * floor and reservation of the {@code sequences} file (a floor explains a jump in the numbers: a writable open
 * found the end of the log lost, and every stream continues above it). With
 * {@code --sensor-records} it also decodes every payload as a {@link SensorRecordCodec} sensor record and lists
 * the records it refuses (say, flag bits this SDK does not know), since the buffer itself never reads payloads.
 * Temporary files a crash left between writing and renaming them are listed ({@code leftoverTemporaryFiles}); the
 * next writable open deletes them. Exits 0 whatever the damage; non-zero only when the directory cannot be used at all.
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

    @Option(names = "--sensor-records", description = "Also decode every payload as an Edgeloop sensor record and"
            + " list those that do not decode (unknown flag bits, another format); the first "
            + REFUSED_LISTED + " are listed.")
    private boolean sensorRecords;

    /** How many refused records are listed one by one; all are counted. */
    static final int REFUSED_LISTED = 100;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Map<String, long[]> streams = new TreeMap<>();
        long refusedCount = 0;
        List<Map<String, Object>> refused = new ArrayList<>();
        LossReport report;
        List<String> leftovers;
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
                    if (sensorRecords) {
                        try {
                            SensorRecordCodec.decode(r.payloadBytes());
                        } catch (IllegalArgumentException e) {
                            refusedCount++;
                            if (refused.size() < REFUSED_LISTED) {
                                Map<String, Object> m = new LinkedHashMap<>();
                                m.put("stream", r.stream());
                                m.put("seq", r.sequence());
                                m.put("error", e.getMessage());
                                refused.add(m);
                            }
                        }
                    }
                }
            }
            report = buffer.lossReport();
            leftovers = buffer.leftoverTemporaryFiles();
            epoch = buffer.epoch();
            device = buffer.deviceId();
        }
        // read after the open (which fails first, with its own message, on an intact file of an unknown version)
        Optional<SequenceMarks> marks = SequenceMarks.read(dir);
        // A read-only open of a directory without buffer.id makes an identity up in memory (an append that failed on
        // a full disk leaves only buffer.lock and cursors/): report none rather than that epoch (sweep s16 L8).
        boolean identified = Files.exists(dir.resolve(BufferIdentity.FILE));
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("directory", dir.toString());
        r.put("device", identified ? device : null);
        r.put("epoch", identified ? epoch : null);
        Map<String, Object> perStream = new LinkedHashMap<>();
        streams.forEach((name, s) -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("records", s[0]);
            m.put("highestDurableSeq", s[1]);
            perStream.put(name, m);
        });
        r.put("streams", perStream);
        r.put("sequenceFloor", marks.map(SequenceMarks::floor).orElse(-1L));
        r.put("sequenceReserved", marks.map(SequenceMarks::reserved).orElse(-1L));
        r.put("corruptFramesSkipped", report.corruptFrames());
        r.put("corruptBytes", report.corruptBytes());
        r.put("bytesTruncated", report.truncatedBytes());
        List<Map<String, Object>> losses = new ArrayList<>();
        long recordsLost = 0;
        // per segment and stream at most the records it is missing: the entries' sum can count them twice
        long regionsAtMost = report.recordsInCorruptRegionsAtMost();
        for (Loss l : report.losses()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("file", l.file());
            m.put("offset", l.offset());
            m.put("length", l.length());
            m.put("kind", l.kind().name());
            if (!l.stream().isEmpty()) {
                m.put("stream", l.stream());
            }
            if (l.records() > 0) {
                m.put("firstSequence", l.firstSequence());
                m.put("lastSequence", l.lastSequence());
                m.put("records", l.records());
                recordsLost += l.records();
            } else if (l.recordsAtMost() > 0) {
                m.put("firstSequence", l.firstSequence());
                m.put("lastSequence", l.lastSequence());
                m.put("recordsAtMost", l.recordsAtMost());
            }
            losses.add(m);
        }
        r.put("recordsKnownLost", recordsLost);
        r.put("recordsInCorruptRegionsAtMost", regionsAtMost);
        r.put("losses", losses);
        r.put("leftoverTemporaryFiles", leftovers);
        if (sensorRecords) {
            r.put("sensorRecordsRefused", refusedCount);
            r.put("refusedRecords", refused);
        }
        if (json) {
            out.println(new ObjectMapper().writeValueAsString(r));
        } else {
            out.println("buffer " + dir + (identified ? " (device id '" + device + "', epoch " + epoch + ")"
                    : " (no identity yet: no " + BufferIdentity.FILE + (streams.isEmpty() ? ", nothing was ever stored"
                    : ", although it holds records") + "; the next writable open creates one)"));
            streams.forEach((name, s) -> out.println("  stream " + name + ": " + s[0] + " records, highest durable seq "
                    + s[1]));
            if (marks.isEmpty()) {
                out.println("  sequences file: damaged (a writable open renews the epoch)");
            } else {
                SequenceMarks m = marks.get();
                out.println("  sequence floor: " + (m.floor() > 0 ? m.floor() + " (a writable open found the end of"
                        + " the log lost; every stream continues above it)" : "none") + ", reserved: "
                        + (m.reserved() > 0 ? m.reserved() : "none (written before format 1.2, or nothing appended)"));
            }
            out.println("  corrupt frames skipped: " + report.corruptFrames() + " (" + report.corruptBytes()
                    + " bytes), bytes truncated: " + report.truncatedBytes());
            if (recordsLost > 0) {
                out.println("  records known lost: " + recordsLost);
            }
            if (regionsAtMost > 0) {
                out.println("  records lost in corrupt regions of sealed segments: at most " + regionsAtMost
                        + " (from the segments' footers)");
            }
            for (Loss l : report.losses()) {
                out.println("  " + l.kind() + " in " + l.file() + " at " + l.offset() + ", " + l.length() + " bytes"
                        + (l.records() > 0 ? ", stream " + l.stream() + " sequences " + l.firstSequence() + ".."
                        + l.lastSequence() + " (" + l.records() + " records)" : "")
                        + (l.recordsAtMost() > 0 ? ", stream " + l.stream() + ": at most " + l.recordsAtMost()
                        + " records, sequences within " + l.firstSequence() + ".." + l.lastSequence() : ""));
            }
            if (!leftovers.isEmpty()) {
                out.println("  leftover temporary files (writes a crash interrupted before their rename; nothing is"
                        + " lost, and the next writable open deletes them): " + String.join(", ", leftovers));
            }
            if (sensorRecords) {
                out.println("  sensor records refused by the decoder: " + refusedCount + (refusedCount > refused.size()
                        ? " (first " + refused.size() + " listed)" : ""));
                for (Map<String, Object> m : refused) {
                    out.println("    stream " + m.get("stream") + " seq " + m.get("seq") + ": " + m.get("error"));
                }
            }
        }
        out.flush();
        return 0;
    }
}

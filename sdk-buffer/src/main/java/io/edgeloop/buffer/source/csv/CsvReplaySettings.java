package io.edgeloop.buffer.source.csv;

import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.api.config.ConfigException;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoField;
import java.time.temporal.TemporalAccessor;
import java.time.temporal.TemporalQueries;
import java.util.Arrays;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The validated settings of a {@link CsvReplaySource}. Thread-safe: immutable.
 *
 * @param path            the file to read, when reading from the file system
 * @param resource        the class-path resource to read, when reading from the class path
 * @param device          the device id given to every record
 * @param stream          the stream name given to every record
 * @param timestampColumn the header name of the timestamp column
 * @param timestampFormat {@code epoch-millis}, {@code epoch-seconds}, {@code iso-instant} or a
 *                        {@link DateTimeFormatter} pattern
 * @param zone            the zone of pattern timestamps without an offset
 * @param channels        the columns to replay as channels, empty for every column but the timestamp
 * @param skip            data rows to skip at the start
 * @param limit           the most data rows to replay after skipping, {@link Long#MAX_VALUE} for all
 * @param firstSequence   the sequence number of the first replayed row
 * @param speed           replay pace: 0 replays as fast as polled; {@code s > 0} replays {@code s} seconds of
 *                        data time per second of wall time
 * @param skipBadRows     whether rows with a bad timestamp or field count are skipped (counted) rather than
 *                        failing the poll
 * @param positionFile    where {@code commit()} stores the replay position, so a restarted source resumes
 */
record CsvReplaySettings(Optional<Path> path, Optional<String> resource, String device, String stream,
        String timestampColumn, String timestampFormat, ZoneId zone, List<String> channels, long skip, long limit,
        long firstSequence, double speed, boolean skipBadRows, Optional<Path> positionFile) {

    /** The keys the source reads; any other is refused. */
    static final Set<String> KEYS = Set.of("path", "resource", "device", "stream", "timestamp-column",
            "timestamp-format", "zone", "channels", "skip", "limit", "first-sequence", "speed", "on-bad-row",
            "position-file");

    static CsvReplaySettings from(ComponentConfig c) {
        c.requireKnownKeys(CsvReplaySourceProvider.NAME + " source", KEYS);
        Optional<String> path = c.get("path").filter(s -> !s.isBlank());
        Optional<String> resource = c.get("resource").filter(s -> !s.isBlank());
        if (path.isPresent() == resource.isPresent()) {
            throw new ConfigException("path", "csv-replay needs exactly one of 'path' (a file) or 'resource' "
                    + "(a class-path resource); got " + (path.isPresent() ? "both" : "neither"));
        }
        String source = path.orElseGet(resource::get);
        String base = source.substring(source.lastIndexOf('/') + 1);
        int dot = base.indexOf('.');
        String defaultDevice = dot > 0 ? base.substring(0, dot) : base;
        String device = c.getString("device", defaultDevice);
        String stream = c.getString("stream", "default");
        if (device.isBlank() || stream.isBlank()) {
            throw new ConfigException(device.isBlank() ? "device" : "stream", "csv-replay 'device' and 'stream' "
                    + "must not be blank");
        }
        ZoneId zone;
        try {
            zone = ZoneId.of(c.getString("zone", "UTC"));
        } catch (RuntimeException e) {
            throw new ConfigException("zone", "csv-replay 'zone' '" + c.getString("zone", "") + "' is not a zone "
                    + "id such as UTC or Europe/Brussels");
        }
        String format = c.getString("timestamp-format", "yyyy-MM-dd HH:mm:ss");
        if (!List.of("epoch-millis", "epoch-seconds", "iso-instant").contains(format)) {
            DateTimeFormatter parser;
            try {
                parser = DateTimeFormatter.ofPattern(format, Locale.ROOT);
            } catch (IllegalArgumentException e) {
                throw new ConfigException("timestamp-format", "csv-replay 'timestamp-format' '" + format
                        + "' is neither epoch-millis, epoch-seconds, iso-instant nor a valid DateTimeFormatter "
                        + "pattern: " + e.getMessage());
            }
            requirePlacesInTime(format, parser, zone);
        }
        List<String> channels = new ArrayList<>();
        for (String s : c.getString("channels", "").split(",")) {
            if (!s.isBlank()) {
                channels.add(s.trim());
            }
        }
        String onBad = c.getString("on-bad-row", "fail");
        if (!onBad.equals("fail") && !onBad.equals("skip")) {
            throw new ConfigException("on-bad-row", "csv-replay 'on-bad-row' must be 'fail' or 'skip', got '"
                    + onBad + "'");
        }
        return new CsvReplaySettings(path.map(Path::of), resource, device, stream,
                c.getString("timestamp-column", "date"), format, zone, List.copyOf(channels),
                c.getLong("skip", 0, 0, Long.MAX_VALUE), c.getLong("limit", Long.MAX_VALUE, 1, Long.MAX_VALUE),
                c.getLong("first-sequence", 1, 0, Long.MAX_VALUE), c.getDouble("speed", 0, 0, 1e9),
                onBad.equals("skip"), c.get("position-file").filter(s -> !s.isBlank()).map(Path::of));
    }

    /**
     * Refuses a pattern whose timestamps cannot be placed in time, judged by reading back a time it wrote: one
     * without a full date (a time of day alone, or {@code YYYY}, the week-based year, with a month and day), or
     * with an incomplete time of day ({@code hh} without {@code a}). A date without any time of day is accepted:
     * the source reads it as the start of that day.
     */
    private static void requirePlacesInTime(String format, DateTimeFormatter parser, ZoneId zone) {
        TemporalAccessor t;
        try {
            ZonedDateTime sample = ZonedDateTime.of(2021, 3, 4, 17, 6, 7, 8_000_000, zone);
            t = parser.withZone(zone).parse(parser.format(sample));
        } catch (DateTimeException e) {
            return; // cannot read its own output: left to the rows, each failing with its file and line
        }
        if (t.query(TemporalQueries.localDate()) == null) {
            throw new ConfigException("timestamp-format", "csv-replay 'timestamp-format' '" + format + "' does not "
                    + "give a date (a year, month and day, such as yyyy-MM-dd; YYYY is the week-based year), so its "
                    + "timestamps cannot be placed in time; a date alone is read as the start of that day");
        }
        if (t.query(TemporalQueries.localTime()) == null
                && Arrays.stream(ChronoField.values()).anyMatch(f -> f.isTimeBased() && t.isSupported(f))) {
            throw new ConfigException("timestamp-format", "csv-replay 'timestamp-format' '" + format + "' gives an "
                    + "incomplete time of day (hh, the 1-12 hour, needs the AM/PM marker a; HH is the 0-23 hour)");
        }
    }

    /** @return the file or resource name, for messages */
    String describe() {
        return path.map(Path::toString).orElseGet(() -> "class-path resource " + resource.orElseThrow());
    }
}

package io.edgeloop.buffer.source.csv;

import io.edgeloop.api.record.SensorRecord;
import io.edgeloop.api.source.SensorSource;
import io.edgeloop.api.source.SourceException;
import io.edgeloop.buffer.log.AtomicFile;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoField;
import java.time.temporal.TemporalAccessor;
import java.time.temporal.TemporalQueries;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.zip.GZIPInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Replays a CSV file as sensor records: one record per data row, with the configured device id and stream,
 * the timestamp column parsed into milliseconds, every other selected column as a numeric channel and sequence
 * numbers counting up from {@code first-sequence}.
 *
 * <p>Timestamps: a {@code timestamp-format} pattern is read in the offset or zone it parses, else in {@code zone};
 * a pattern with a date and no time of day gives the start of that day. A pattern that cannot place a time (no
 * full date, or {@code hh} without {@code a}) is refused when the source is created.
 *
 * <p>Input handling: the first line is the header; blank lines are skipped and not counted as rows. When the first
 * good data row has exactly one field more than the header, every row has a leading row id (R's
 * {@code write.table}), which is dropped; every row must then have that many fields, else the header's count. This
 * is decided once (deciding per row read a row with one stray field, such as a decimal comma, as shifted numbers),
 * by the first data row after {@code skip} that parses as a record under its reading: a row that does not (a stray
 * field that puts a value where the timestamp belongs) is refused or skipped on its own and leaves the decision to
 * the next one, and rows inside {@code skip} never decide. A resume decides from the same row as the run that
 * committed the position. Empty, {@code NA},
 * {@code NaN}, {@code null} and non-numeric values (anything but a decimal number: Java's {@code 5d}, {@code 2f} or
 * {@code 0x10} too) become {@code NaN}, which marks the record {@code MISSING}; they never stop the replay. A header
 * that names two columns alike is refused when the source opens. A row
 * whose timestamp cannot be parsed or whose field count is wrong fails the poll with a {@link SourceException}
 * naming the file and line (the position stays before it, so nothing is skipped silently), unless
 * {@code on-bad-row=skip}, in which case it is skipped and counted in {@link #skippedRows()} (an
 * {@code epoch-seconds} timestamp beyond the range of 64-bit milliseconds is such a row). A row whose sequence number
 * would pass {@link Long#MAX_VALUE} ({@code first-sequence} too large) fails the poll, even with
 * {@code on-bad-row=skip}. Files ending in
 * {@code .gz} are decompressed.
 *
 * <p>At-least-once: without {@code position-file} a new source starts at the beginning; with it,
 * {@link #commit()} stores the number of data rows delivered so far and what identifies the source (its absolute
 * path or resource name, its size and a digest of its header and first data row), written to
 * {@code <position-file>.tmp}, synced, renamed over the position file, directory synced. A new source resumes
 * after those rows; its first poll deletes a {@code .tmp} a crash left, and refuses a position written for another
 * source (or for a file since replaced or truncated) rather than skip that many rows of the wrong file. A file
 * that only grew resumes. A source whose opening failed (that refusal, a missing column) fails every later poll the
 * same way; create a new one.
 *
 * <p>Pacing: with {@code speed=0} (the default) {@link #poll} returns rows as fast as asked; with
 * {@code speed=s} it releases a row once {@code s} times the wall time since the first poll covers the data time
 * since the first row, waiting at most the poll timeout.
 *
 * <p>Not thread-safe: one thread polls. {@link #close()} is idempotent; {@code poll} after close throws
 * {@link IllegalStateException}.
 */
public final class CsvReplaySource implements SensorSource {
    private static final Logger LOG = LoggerFactory.getLogger(CsvReplaySource.class);
    private static final String POSITION_FORMAT = "edgeloop-csv-replay-position";
    private static final String POSITION_VERSION = "1";
    /** Written since positions record their source's identity; readers of 1 and 1.x accept it. */
    private static final String POSITION_WRITE_VERSION = "1.1";

    private final CsvReplaySettings settings;
    private BufferedReader reader;
    private List<String> header;
    /** The header line as read (without a byte order mark), for the source's digest. */
    private String headerLine;
    /** The first data row as read, null until read: it enters the source's digest. */
    private String firstDataLine;
    /** The source's id for its position file, taken when it opens. */
    private String sourceId;
    /** The SHA-256 of {@link #headerLine} and {@link #firstDataLine}; null until that row is read. */
    private String startDigest;
    /**
     * Whether every row starts with an R row id; null until the first data row after {@code skip} that parses
     * decides it.
     */
    private Boolean rowIds;
    /** The line that decided {@link #rowIds}, for messages. */
    private long rowIdsLine;
    /** The 0-based data row index of that line, for messages. */
    private long rowIdsRow;
    private int timestampIndex;
    private int[] channelIndex;
    private String[] channelName;
    private DateTimeFormatter formatter;
    private long lineNumber;
    /** Data rows consumed from the file (delivered or skipped), counting the initial skip. */
    private long rowsConsumed;
    private long rowsDelivered;
    private long skippedRows;
    private long committedRows;
    private boolean exhausted;
    private boolean closed;
    private SensorRecord pending;
    /** Why opening the file failed after it was opened; every later poll fails so too rather than read on. */
    private SourceException openFailure;
    /** A malformed line that failed the last poll; parsed again by the next one. */
    private String failedLine;
    private long firstDataMillis = Long.MIN_VALUE;
    private long firstWallNanos;

    private final Ticker ticker;

    /** The time source that paces the replay: the system's, or a fake one in tests. */
    interface Ticker {
        /** The system's monotonic clock and {@link Thread#sleep}. */
        Ticker SYSTEM = new Ticker() {
            @Override
            public long nanoTime() {
                return System.nanoTime();
            }

            @Override
            public void sleepNanos(long nanos) throws InterruptedException {
                Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000));
            }
        };

        /** @return the current monotonic time in nanoseconds */
        long nanoTime();

        /**
         * Waits this long.
         *
         * @param nanos a positive duration in nanoseconds
         * @throws InterruptedException when interrupted
         */
        void sleepNanos(long nanos) throws InterruptedException;
    }

    CsvReplaySource(CsvReplaySettings settings) {
        this(settings, Ticker.SYSTEM);
    }

    CsvReplaySource(CsvReplaySettings settings, Ticker ticker) {
        this.settings = settings;
        this.ticker = ticker;
    }

    @Override
    public List<SensorRecord> poll(int maxRecords, Duration timeout) throws SourceException {
        if (closed) {
            throw new IllegalStateException("csv-replay source " + settings.describe() + " is closed");
        }
        if (maxRecords < 1) {
            throw new IllegalArgumentException("maxRecords must be at least 1, got " + maxRecords);
        }
        open();
        List<SensorRecord> out = new ArrayList<>(Math.min(maxRecords, 1024));
        long deadline = ticker.nanoTime() + timeout.toNanos();
        while (out.size() < maxRecords) {
            if (pending == null) {
                try {
                    pending = next();
                } catch (SourceException e) {
                    if (out.isEmpty()) {
                        throw e;
                    }
                    break; // deliver the good rows read so far; the bad row fails the next poll
                }
                if (pending == null) {
                    break;
                }
            }
            if (settings.speed() > 0 && !due(pending, out.isEmpty() ? deadline : ticker.nanoTime())) {
                break;
            }
            out.add(pending);
            pending = null;
            rowsDelivered++;
        }
        return out;
    }

    /** Waits until the record is due or the deadline passes; returns whether it is due. */
    private boolean due(SensorRecord r, long deadline) throws SourceException {
        if (firstDataMillis == Long.MIN_VALUE) {
            firstDataMillis = r.timestampMillis();
            firstWallNanos = ticker.nanoTime();
        }
        long dueNanos = firstWallNanos + (long) ((r.timestampMillis() - firstDataMillis) * 1e6 / settings.speed());
        long now = ticker.nanoTime();
        if (now >= dueNanos) {
            return true;
        }
        if (dueNanos > deadline) {
            sleepNanos(deadline - now);
            return false;
        }
        sleepNanos(dueNanos - now);
        return true;
    }

    private void sleepNanos(long nanos) throws SourceException {
        if (nanos <= 0) {
            return;
        }
        try {
            ticker.sleepNanos(nanos);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SourceException("interrupted while pacing the replay", e);
        }
    }

    @Override
    public void commit() throws SourceException {
        if (closed) {
            throw new IllegalStateException("csv-replay source " + settings.describe() + " is closed");
        }
        committedRows = rowsConsumed - (pending == null ? 0 : 1);
        if (settings.positionFile().isEmpty()) {
            return;
        }
        Path file = settings.positionFile().get();
        Properties p = new Properties();
        p.setProperty("format", POSITION_FORMAT);
        p.setProperty("version", POSITION_WRITE_VERSION);
        p.setProperty("source", settings.describe());
        p.setProperty("rows", Long.toString(committedRows));
        if (firstDataLine != null) {
            // without a data row read nothing is skipped on resume (rows=0), so there is nothing to protect
            SourceIdentity.of(settings, sourceId, startDigest()).store(p);
        }
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            StringWriter w = new StringWriter();
            p.store(w, null);
            // <file>.tmp, fsync, rename, directory fsync: a crash leaves the old or the new position, durably, and
            // at most a temporary file of a fixed name, which the next open deletes (a random name, as before,
            // piled up one file per crash, and without the fsyncs a power loss could leave an empty position file)
            AtomicFile.write(file, w.toString().getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new SourceException("cannot store the csv-replay position in " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>False while the source refuses to open (a missing file or column, a position written for another source):
     * a loop that polls until exhausted keeps meeting that error rather than end as if the file had been replayed.
     */
    @Override
    public boolean isExhausted() {
        return exhausted && pending == null && openFailure == null;
    }

    /** @return rows skipped because they were malformed (only with {@code on-bad-row=skip}) */
    public long skippedRows() {
        return skippedRows;
    }

    /** @return records delivered by {@link #poll} since this source was created */
    public long deliveredRecords() {
        return rowsDelivered;
    }

    @Override
    public void close() throws SourceException {
        if (closed) {
            return;
        }
        closed = true;
        if (reader != null) {
            try {
                reader.close();
            } catch (IOException e) {
                throw new SourceException("cannot close " + settings.describe() + ": " + e.getMessage(), e);
            }
        }
    }

    private void open() throws SourceException {
        if (openFailure != null) {
            throw new SourceException(openFailure.getMessage(), openFailure);
        }
        if (reader != null || exhausted) {
            return;
        }
        Position resume = readPosition();
        sourceId = SourceIdentity.idOf(settings);
        InputStream in;
        try {
            if (settings.path().isPresent()) {
                in = Files.newInputStream(settings.path().get());
            } else {
                String res = settings.resource().orElseThrow();
                ClassLoader cl = Thread.currentThread().getContextClassLoader();
                in = cl == null ? null : cl.getResourceAsStream(res.startsWith("/") ? res.substring(1) : res);
                if (in == null) {
                    in = CsvReplaySource.class.getResourceAsStream(res.startsWith("/") ? res : "/" + res);
                }
                if (in == null) {
                    throw new NoSuchFileException(res, null, "no such class-path resource");
                }
            }
            if (settings.describe().endsWith(".gz")) {
                in = new GZIPInputStream(in, 1 << 16);
            }
        } catch (NoSuchFileException e) {
            throw new SourceException("csv-replay cannot find " + settings.describe()
                    + "; check the 'path' or 'resource' setting", e);
        } catch (IOException e) {
            throw new SourceException("csv-replay cannot open " + settings.describe() + ": " + e.getMessage(), e);
        }
        reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8), 1 << 16);
        try {
            readHeaderAndSkip(resume);
        } catch (SourceException e) {
            // the reader is open but the source is not ready (no columns, or stopped mid-skip): reading on from
            // there would deliver the wrong rows
            openFailure = e;
            throw e;
        }
    }

    private void readHeaderAndSkip(Position resume) throws SourceException {
        String first = readLine();
        if (first == null) {
            throw new SourceException("csv-replay: " + settings.describe() + " is empty; it needs a header row");
        }
        if (first.startsWith("\uFEFF")) {
            first = first.substring(1);
        }
        headerLine = first;
        try {
            header = CsvLine.split(first);
        } catch (IllegalArgumentException e) {
            throw new SourceException("csv-replay: bad header in " + settings.describe() + ": " + e.getMessage());
        }
        Map<String, Integer> byName = new HashMap<>();
        for (int i = 0; i < header.size(); i++) {
            Integer j = byName.putIfAbsent(header.get(i).trim(), i);
            if (j != null) {
                // columns are found by name: the second was silently never read (bad-input walk s23)
                throw new SourceException("csv-replay: " + settings.describe() + " has two columns named '"
                        + header.get(i).trim() + "' (columns " + (j + 1) + " and " + (i + 1) + " of the header); "
                        + "column names must be distinct: rename one");
            }
        }
        Integer ts = byName.get(settings.timestampColumn());
        if (ts == null) {
            throw new SourceException("csv-replay: " + settings.describe() + " has no timestamp column '"
                    + settings.timestampColumn() + "'; columns: " + header + " (set 'timestamp-column')");
        }
        timestampIndex = ts;
        List<String> wanted = settings.channels();
        if (wanted.isEmpty()) {
            wanted = new ArrayList<>();
            for (int i = 0; i < header.size(); i++) {
                if (i != timestampIndex) {
                    wanted.add(header.get(i).trim());
                }
            }
        }
        channelIndex = new int[wanted.size()];
        channelName = new String[wanted.size()];
        for (int i = 0; i < wanted.size(); i++) {
            Integer idx = byName.get(wanted.get(i));
            if (idx == null) {
                throw new SourceException("csv-replay: " + settings.describe() + " has no column '" + wanted.get(i)
                        + "' named in 'channels'; columns: " + header);
            }
            channelIndex[i] = idx;
            channelName[i] = wanted.get(i);
        }
        String f = settings.timestampFormat();
        if (!f.startsWith("epoch-") && !f.equals("iso-instant")) {
            formatter = DateTimeFormatter.ofPattern(f, Locale.ROOT).withZone(settings.zone());
        }
        long toSkip = Math.max(settings.skip(), resume.rows());
        boolean checked = resume.rows() == 0; // a position that skips nothing cannot skip the wrong rows
        while (rowsConsumed < toSkip) {
            String line = readLine();
            if (line == null) {
                exhausted = true;
                break;
            }
            // the same rows as next() counts: counting a blank line here resumed one data row early, replaying
            // it under a new sequence number and shifting every later one
            if (line.isBlank()) {
                continue;
            }
            noteDataRow(line);
            if (!checked) {
                checkSource(resume);
                checked = true;
            }
            if (rowIds == null && rowsConsumed >= settings.skip()) {
                // a row the committing run delivered or skipped: it decides as it did then
                try {
                    parse(line);
                } catch (IllegalArgumentException | DateTimeException e) {
                    // it was skipped as bad then, and left the decision to a later row
                }
            }
            rowsConsumed++;
        }
        if (!checked) {
            checkSource(resume);
        }
        committedRows = rowsConsumed;
    }

    /** Notes a data row (not blank) as read: the first one enters the source's digest. */
    private void noteDataRow(String line) {
        if (firstDataLine == null) {
            firstDataLine = line;
            startDigest = null;
        }
    }

    /** Refuses a position committed for another source; accepts one written before positions recorded theirs. */
    private void checkSource(Position resume) throws SourceException {
        Path file = settings.positionFile().orElseThrow();
        if (resume.identity().isEmpty()) {
            LOG.warn("Position file {} does not record which source it was written for (written before 2026-12); "
                    + "resuming {} after {} rows without checking", file, settings.describe(), resume.rows());
            return;
        }
        SourceIdentity now = SourceIdentity.of(settings, sourceId, startDigest());
        SourceIdentity then = resume.identity().get();
        var why = then.mismatch(now);
        if (why.isPresent()) {
            throw new SourceException("csv-replay position file " + file + " " + why.get() + "; delete it to "
                    + "replay " + settings.describe() + " from the start, or point 'position-file' elsewhere");
        }
        if (then.movedFrom(now)) {
            LOG.warn("Position file {} was written for {}; resuming {} after {} rows, as it has the same header and "
                    + "first data row and is not shorter (the file moved, or a link to it changed)", file,
                    then.name(), now.name(), resume.rows());
        }
    }

    private String startDigest() {
        if (startDigest == null) {
            startDigest = SourceIdentity.digest(headerLine, firstDataLine);
        }
        return startDigest;
    }

    /** What a position file holds: the data rows to skip and, since version 1.1, the source they belong to. */
    private record Position(long rows, Optional<SourceIdentity> identity) {
        static final Position START = new Position(0, Optional.empty());
    }

    /** The temporary file a commit writes before renaming it over the position file ({@link AtomicFile}). */
    static Path temporaryFile(Path positionFile) {
        return positionFile.resolveSibling(positionFile.getFileName() + ".tmp");
    }

    private Position readPosition() throws SourceException {
        if (settings.positionFile().isEmpty()) {
            return Position.START;
        }
        Path file = settings.positionFile().get();
        Path tmp = temporaryFile(file);
        try {
            if (Files.deleteIfExists(tmp)) {
                LOG.info("Deleted {}, left by a csv-replay position write a crash interrupted before its rename", tmp);
            }
        } catch (IOException e) {
            LOG.warn("Could not delete the leftover temporary file {}", tmp, e);
        }
        if (!Files.exists(file)) {
            return Position.START;
        }
        Properties p = new Properties();
        try (var r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        } catch (IOException | IllegalArgumentException e) {
            throw new SourceException("csv-replay cannot read its position file " + file + ": " + e.getMessage()
                    + "; delete it to replay from the start", e);
        }
        if (!POSITION_FORMAT.equals(p.getProperty("format"))) {
            throw new SourceException(file + " is not a csv-replay position file; delete it or point "
                    + "'position-file' elsewhere");
        }
        String version = p.getProperty("version", "");
        if (!version.equals(POSITION_VERSION) && !version.startsWith(POSITION_VERSION + ".")) {
            throw new SourceException(file + " has position format version " + version + "; this csv-replay reads "
                    + "major version " + POSITION_VERSION);
        }
        long rows;
        try {
            rows = Long.parseLong(p.getProperty("rows", ""));
            if (rows < 0) {
                throw new NumberFormatException("negative");
            }
        } catch (NumberFormatException e) {
            throw new SourceException(file + " has an invalid 'rows' value '" + p.getProperty("rows")
                    + "'; delete it to replay from the start", e);
        }
        try {
            return new Position(rows, SourceIdentity.load(p));
        } catch (IllegalArgumentException e) {
            throw new SourceException(file + " has an " + e.getMessage() + "; delete it to replay from the start",
                    e);
        }
    }

    private String readLine() throws SourceException {
        try {
            String line = reader.readLine();
            if (line != null) {
                lineNumber++;
            }
            return line;
        } catch (IOException e) {
            throw new SourceException("csv-replay cannot read " + settings.describe() + " at line "
                    + (lineNumber + 1) + ": " + e.getMessage(), e);
        }
    }

    /** Returns the next record, or null at the end (of the file or the limit). */
    private SensorRecord next() throws SourceException {
        while (!exhausted) {
            if (rowsConsumed - settings.skip() >= settings.limit() && rowsConsumed >= settings.skip()) {
                exhausted = true;
                return null;
            }
            String line = failedLine != null ? failedLine : readLine();
            failedLine = null;
            if (line == null) {
                exhausted = true;
                return null;
            }
            if (line.isBlank()) {
                continue;
            }
            noteDataRow(line);
            long row = rowsConsumed - settings.skip();
            if (settings.firstSequence() > Long.MAX_VALUE - row) {
                failedLine = line;
                throw new SourceException("csv-replay: " + settings.describe() + " line " + lineNumber + " is row "
                        + (row + 1) + " after 'skip', and 'first-sequence' " + settings.firstSequence() + " leaves it "
                        + "no sequence number (they would pass " + Long.MAX_VALUE + "); set a smaller first-sequence");
            }
            try {
                SensorRecord r = parse(line);
                rowsConsumed++;
                return r;
            } catch (IllegalArgumentException | DateTimeException e) {
                String msg = "csv-replay: bad row at " + settings.describe() + " line " + lineNumber + ": "
                        + e.getMessage();
                if (!settings.skipBadRows()) {
                    // Keep the bad line: a retry fails the same way instead of silently skipping it.
                    failedLine = line;
                    throw new SourceException(msg + " (set on-bad-row=skip to skip such rows)");
                }
                rowsConsumed++;
                skippedRows++;
            }
        }
        return null;
    }

    /**
     * Parses a data row; the first one that parses decides {@link #rowIds}.
     *
     * @throws IllegalArgumentException or {@link DateTimeException} for a bad row
     */
    private SensorRecord parse(String line) {
        List<String> fields = CsvLine.split(line);
        int n = header.size();
        if (rowIds == null) {
            if (fields.size() != n && fields.size() != n + 1) {
                throw new IllegalArgumentException("expected " + n + " fields (or " + (n + 1) + " with a leading "
                        + "row id), found " + fields.size() + quoteHint(line));
            }
            int offset = fields.size() - n;
            SensorRecord r = record(fields, offset);
            rowIds = offset == 1;
            rowIdsLine = lineNumber;
            rowIdsRow = rowsConsumed;
            return r;
        }
        int offset = rowIds ? 1 : 0; // R write.table: a leading unnamed row id
        if (fields.size() != n + offset) {
            throw new IllegalArgumentException("expected " + (n + offset) + " fields, found " + fields.size()
                    + " (" + (offset == 1 ? "the header's " + n + " and a leading row id" : "the header's")
                    + ", as line " + rowIdsLine + " has; if that line is the odd one, set skip=" + (rowIdsRow + 1)
                    + " to start after it)" + quoteHint(line));
        }
        return record(fields, offset);
    }

    /**
     * For a field count that is off on a line holding a double quote, a pointer at the quoting (a quoted decimal
     * comma, a field meant to span lines): the count alone did not say a quote was involved (bad-input walk s23).
     */
    private static String quoteHint(String line) {
        return line.indexOf('"') < 0 ? "" : "; the line holds a double quote: check its quoting (fields cannot span "
                + "lines)";
    }

    private SensorRecord record(List<String> fields, int offset) {
        long ts = timestamp(fields.get(timestampIndex + offset).trim());
        SensorRecord.Builder b = SensorRecord.builder().deviceId(settings.device()).stream(settings.stream())
                .timestampMillis(ts).sequence(settings.firstSequence() + (rowsConsumed - settings.skip()));
        for (int i = 0; i < channelIndex.length; i++) {
            b.channel(channelName[i], number(fields.get(channelIndex[i] + offset)));
        }
        return b.build();
    }

    private long timestamp(String s) {
        switch (settings.timestampFormat()) {
            case "epoch-millis":
                return parseLong(s);
            case "epoch-seconds":
                double seconds = parseDouble(s);
                if (!Double.isFinite(seconds)) { // Math.round(NaN) was 0: 1970, silently
                    throw new IllegalArgumentException("timestamp '" + s + "' is not a finite number");
                }
                double millis = seconds * 1000.0;
                // Math.round saturates: 9223372036854775 s became Long.MAX_VALUE ms, silently
                if (!(Math.abs(millis) < 0x1p63)) {
                    throw new IllegalArgumentException("timestamp '" + s + "' is out of range: " + s + " seconds "
                            + "overflow a 64-bit count of milliseconds");
                }
                return Math.round(millis);
            case "iso-instant":
                return Instant.parse(s).toEpochMilli();
            default:
                return patternTimestamp(s);
        }
    }

    /**
     * Reads a timestamp by the pattern: in the offset or zone it gives, else in the 'zone' setting; a date without a
     * time of day (the settings refused an incomplete one) is the start of that day.
     *
     * @throws DateTimeException naming the timestamp for a row the pattern does not read as a date
     */
    private long patternTimestamp(String s) {
        TemporalAccessor t = formatter.parse(s);
        if (t.isSupported(ChronoField.INSTANT_SECONDS)) {
            return Instant.from(t).toEpochMilli();
        }
        LocalDate date = t.query(TemporalQueries.localDate());
        if (date == null) { // possible with optional sections: "[yyyy-MM-dd ]HH:mm" reading "10:00"
            throw new DateTimeException("timestamp '" + s + "' has no date by 'timestamp-format' '"
                    + settings.timestampFormat() + "'");
        }
        // an offset the text gives, else a zone id it gives (VV, z), else the setting: the formatter's override
        // zone is the setting, and zoneId() answers the parsed zone ahead of it (zone() would answer the override
        // ahead of a parsed offset)
        ZoneOffset offset = t.query(TemporalQueries.offset());
        java.time.ZoneId zone = offset != null ? offset : t.query(TemporalQueries.zoneId());
        return date.atStartOfDay(zone != null ? zone : settings.zone()).toInstant().toEpochMilli();
    }

    private static long parseLong(String s) {
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("timestamp '" + s + "' is not an integer");
        }
    }

    private static double parseDouble(String s) {
        if (!DECIMAL.matcher(s).matches()) {
            throw new IllegalArgumentException("timestamp '" + s + "' is not a number");
        }
        return Double.parseDouble(s);
    }

    /**
     * A decimal number as a CSV writes one: sign, digits with at most one point, an exponent; or {@code NaN} and
     * {@code Infinity} with a sign. Double.parseDouble also takes Java's own spellings ({@code 5d}, {@code 2.5f},
     * hexadecimal {@code 0x1p3}), which no CSV writer produces: {@code 5d} read as 5.0 while {@code 0x10} read as
     * missing (bad-input walk s23).
     */
    private static final java.util.regex.Pattern DECIMAL =
            java.util.regex.Pattern.compile("[+-]?(NaN|Infinity|([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][+-]?[0-9]+)?)");

    /** Parses a channel value; anything that is not a finite decimal number is missing (NaN). */
    private static double number(String raw) {
        String s = raw.trim();
        if (!DECIMAL.matcher(s).matches()) {
            return Double.NaN;
        }
        double v = Double.parseDouble(s);
        return Double.isInfinite(v) ? Double.NaN : v;
    }
}

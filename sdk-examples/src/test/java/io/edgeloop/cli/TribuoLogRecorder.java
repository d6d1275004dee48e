package io.edgeloop.cli;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Records what reaches Tribuo's java.util.logging logger ({@code org.tribuo}) while open, whatever its level, so
 * a test can check which records a command let through.
 */
public final class TribuoLogRecorder extends Handler implements AutoCloseable {
    private final Logger tribuo = Logger.getLogger("org.tribuo");
    private final List<LogRecord> records = new CopyOnWriteArrayList<>();

    /** Starts recording. */
    public TribuoLogRecorder() {
        setLevel(Level.ALL);
        tribuo.addHandler(this);
    }

    @Override
    public void publish(LogRecord r) {
        records.add(r);
    }

    @Override
    public void flush() {
    }

    /** Stops recording. */
    @Override
    public void close() {
        tribuo.removeHandler(this);
    }

    /** @return how many records below WARNING (progress logging) were recorded */
    public long belowWarning() {
        return records.stream().filter(r -> r.getLevel().intValue() < Level.WARNING.intValue()).count();
    }

    /** @return whether an INFO record was recorded */
    public boolean sawInfo() {
        return records.stream().anyMatch(r -> r.getLevel() == Level.INFO);
    }
}

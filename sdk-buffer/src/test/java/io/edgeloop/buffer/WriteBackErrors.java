package io.edgeloop.buffer;

import io.edgeloop.buffer.log.ChannelOpener;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The edge of the unit tests: Linux's write-back error reporting (errseq_t, since 4.13), which no test can make a
 * real disk produce. An error is recorded per file; each file description open when it happened reports it once,
 * to its next {@code fsync}, and the following {@code fsync} on that description succeeds (the failed pages were
 * marked clean: what they held is not on the device). A description opened after some description reported the
 * error does not report it; one opened before anybody did, does. Files and data are real; only the error is made
 * up, at the point where the device would report it.
 *
 * <p>Thread-safe.
 */
final class WriteBackErrors {
    /** Per file: errors recorded, and errors reported to some description. */
    private final Map<Path, long[]> files = new ConcurrentHashMap<>();
    /** Forces to fail next: through a writable description, and through a read-only one (the sync thread's). */
    private final AtomicInteger onWritable = new AtomicInteger();
    private final AtomicInteger onReadOnly = new AtomicInteger();

    /** @return an opener whose channels report write-back errors as Linux does */
    ChannelOpener opener() {
        return (path, options) -> new Channel(FileChannel.open(path, options), path,
                options.contains(StandardOpenOption.WRITE));
    }

    /** The next force through a writable description (flush, sealing, close) meets a write-back error. */
    void failNextWriterSync() {
        onWritable.incrementAndGet();
    }

    /** The next force through a read-only description (the group-commit thread's) meets a write-back error. */
    void failNextSyncThreadSync() {
        onReadOnly.incrementAndGet();
    }

    private final class Channel extends FileChannel {
        private final FileChannel d;
        private final Path path;
        private final boolean writable;
        private long seen;

        Channel(FileChannel d, Path path, boolean writable) {
            this.d = d;
            this.path = path;
            this.writable = writable;
            long[] f = files.computeIfAbsent(path, k -> new long[2]);
            synchronized (f) {
                seen = f[1];
            }
        }

        @Override
        public void force(boolean metaData) throws IOException {
            long[] f = files.get(path);
            AtomicInteger arm = writable ? onWritable : onReadOnly;
            boolean inject = arm.getAndUpdate(n -> Math.max(0, n - 1)) > 0;
            d.force(metaData);
            synchronized (f) {
                if (inject) {
                    f[0]++;
                }
                if (f[0] > seen) {
                    seen = f[0];
                    f[1] = f[0];
                    throw new IOException("Input/output error");
                }
            }
        }

        @Override
        public int read(ByteBuffer b) throws IOException {
            return d.read(b);
        }

        @Override
        public long read(ByteBuffer[] b, int o, int l) throws IOException {
            return d.read(b, o, l);
        }

        @Override
        public int write(ByteBuffer b) throws IOException {
            return d.write(b);
        }

        @Override
        public long write(ByteBuffer[] b, int o, int l) throws IOException {
            return d.write(b, o, l);
        }

        @Override
        public long position() throws IOException {
            return d.position();
        }

        @Override
        public FileChannel position(long p) throws IOException {
            d.position(p);
            return this;
        }

        @Override
        public long size() throws IOException {
            return d.size();
        }

        @Override
        public FileChannel truncate(long s) throws IOException {
            d.truncate(s);
            return this;
        }

        @Override
        public long transferTo(long p, long c, WritableByteChannel t) throws IOException {
            return d.transferTo(p, c, t);
        }

        @Override
        public long transferFrom(ReadableByteChannel s, long p, long c) throws IOException {
            return d.transferFrom(s, p, c);
        }

        @Override
        public int read(ByteBuffer b, long p) throws IOException {
            return d.read(b, p);
        }

        @Override
        public int write(ByteBuffer b, long p) throws IOException {
            return d.write(b, p);
        }

        @Override
        public MappedByteBuffer map(MapMode m, long p, long s) throws IOException {
            return d.map(m, p, s);
        }

        @Override
        public FileLock lock(long p, long s, boolean shared) throws IOException {
            return d.lock(p, s, shared);
        }

        @Override
        public FileLock tryLock(long p, long s, boolean shared) throws IOException {
            return d.tryLock(p, s, shared);
        }

        @Override
        protected void implCloseChannel() throws IOException {
            d.close();
        }
    }
}

package io.edgeloop.tck.powercut;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;

/**
 * A {@link FileChannel} of a {@link PowerCutFileSystem}: each call is done on a real channel, after the file
 * system counted it (and refused it once cut). {@link #force} also records what it made durable: the file's whole
 * content, or a directory's entries. {@link #map} is not supported (the buffer does not map files).
 *
 * <p>Thread-safe as {@link FileChannel}: every call runs under the file system's lock, except a blocking
 * {@link #lock}'s wait.
 */
final class PowerCutChannel extends FileChannel {
    private final PowerCutFileSystem fs;
    private final PowerCutFileSystem.Node node;
    private final FileChannel real;
    /** The path it was opened by, for the operation trace. */
    private final String label;

    PowerCutChannel(PowerCutFileSystem fs, PowerCutFileSystem.Node node, FileChannel real, String label) {
        this.fs = fs;
        this.node = node;
        this.real = real;
        this.label = label;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        return fs.run("read", label, () -> real.read(dst));
    }

    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
        return fs.run("read", label, () -> real.read(dsts, offset, length));
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        return fs.run("write", label, () -> real.write(src));
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        return fs.run("write", label, () -> real.write(srcs, offset, length));
    }

    @Override
    public long position() throws IOException {
        return fs.run("position", label, real::position);
    }

    @Override
    public FileChannel position(long newPosition) throws IOException {
        fs.run("seek", label, () -> real.position(newPosition));
        return this;
    }

    @Override
    public long size() throws IOException {
        return fs.run("size", label, real::size);
    }

    @Override
    public FileChannel truncate(long size) throws IOException {
        fs.run("truncate " + size, label, () -> real.truncate(size));
        return this;
    }

    @Override
    public void force(boolean metaData) throws IOException {
        fs.force(node, real, metaData, label);
    }

    @Override
    public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
        // through a buffer, so that a power-cut target counts its own write
        ByteBuffer b = ByteBuffer.allocate((int) Math.min(count, 64 * 1024));
        long done = 0;
        while (done < count) {
            b.clear().limit((int) Math.min(b.capacity(), count - done));
            int n = read(b, position + done);
            if (n <= 0) {
                break;
            }
            b.flip();
            while (b.hasRemaining()) {
                target.write(b);
            }
            done += n;
        }
        return done;
    }

    @Override
    public long transferFrom(ReadableByteChannel src, long position, long count) throws IOException {
        ByteBuffer b = ByteBuffer.allocate((int) Math.min(count, 64 * 1024));
        long done = 0;
        while (done < count) {
            b.clear().limit((int) Math.min(b.capacity(), count - done));
            int n = src.read(b);
            if (n <= 0) {
                break;
            }
            b.flip();
            while (b.hasRemaining()) {
                done += write(b, position + done);
            }
        }
        return done;
    }

    @Override
    public int read(ByteBuffer dst, long position) throws IOException {
        return fs.run("pread@" + position, label, () -> real.read(dst, position));
    }

    @Override
    public int write(ByteBuffer src, long position) throws IOException {
        return fs.run("pwrite@" + position, label, () -> real.write(src, position));
    }

    @Override
    public MappedByteBuffer map(MapMode mode, long position, long size) {
        throw new UnsupportedOperationException("the power-cut file system does not map files");
    }

    @Override
    public FileLock lock(long position, long size, boolean shared) throws IOException {
        fs.run("lock", label, () -> null);
        // the wait happens outside the file system's lock, so the holder's calls go on meanwhile
        return new Lock(real.lock(position, size, shared));
    }

    @Override
    public FileLock tryLock(long position, long size, boolean shared) throws IOException {
        FileLock l = fs.run("tryLock", label, () -> real.tryLock(position, size, shared));
        return l == null ? null : new Lock(l);
    }

    @Override
    protected void implCloseChannel() throws IOException {
        // not counted and never refused: closing changes nothing durable, and a cut must not leak descriptors
        real.close();
    }

    /** A lock held through the real channel, reported as this channel's. */
    private final class Lock extends FileLock {
        private final FileLock held;

        Lock(FileLock held) {
            super(PowerCutChannel.this, held.position(), held.size(), held.isShared());
            this.held = held;
        }

        @Override
        public boolean isValid() {
            return held.isValid();
        }

        @Override
        public void release() throws IOException {
            held.release();
        }
    }
}

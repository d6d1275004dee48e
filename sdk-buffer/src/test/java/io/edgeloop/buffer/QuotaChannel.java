package io.edgeloop.buffer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A file channel that fails like a full disk (ENOSPC) once writes that grow files would exceed a shared quota of
 * free bytes: the edge of the unit test, standing in for a full device when no small file system can be mounted.
 */
final class QuotaChannel extends FileChannel {
    private final FileChannel delegate;
    private final AtomicLong free;

    private final java.util.concurrent.atomic.AtomicInteger failForces;
    private final AtomicLong writes;
    private final java.util.concurrent.atomic.AtomicBoolean readError;
    private final java.util.concurrent.atomic.AtomicBoolean writeError;
    private java.util.concurrent.atomic.AtomicBoolean interruptNextWrite = new java.util.concurrent.atomic.AtomicBoolean();
    private ForceHook beforeForce = () -> { };

    /** Runs before every {@code force}; it may block, or throw to make the force fail. */
    @FunctionalInterface
    interface ForceHook {
        /** @throws IOException to fail the force as the device would */
        void run() throws IOException;
    }

    QuotaChannel(FileChannel delegate, AtomicLong free) {
        this(delegate, free, new java.util.concurrent.atomic.AtomicInteger());
    }

    /** With {@code failForces} > 0, that many {@code force} calls fail like an I/O error on the device. */
    QuotaChannel(FileChannel delegate, AtomicLong free, java.util.concurrent.atomic.AtomicInteger failForces) {
        this(delegate, free, failForces, new AtomicLong());
    }

    /** Also counts the write calls made through this channel into {@code writes}. */
    QuotaChannel(FileChannel delegate, AtomicLong free, java.util.concurrent.atomic.AtomicInteger failForces,
            AtomicLong writes) {
        this(delegate, free, failForces, writes, new java.util.concurrent.atomic.AtomicBoolean(),
                new java.util.concurrent.atomic.AtomicBoolean());
    }

    /**
     * While {@code readError} is set every positional read fails like EIO; while {@code writeError} is set every
     * positional write and every force does.
     */
    QuotaChannel(FileChannel delegate, AtomicLong free, java.util.concurrent.atomic.AtomicInteger failForces,
            AtomicLong writes, java.util.concurrent.atomic.AtomicBoolean readError,
            java.util.concurrent.atomic.AtomicBoolean writeError) {
        this.delegate = delegate;
        this.free = free;
        this.failForces = failForces;
        this.writes = writes;
        this.readError = readError;
        this.writeError = writeError;
    }

    /**
     * Once {@code armed} is set, the next positional write is hit by an interrupt of the writing thread, as a real
     * {@code FileChannel} is when its thread is interrupted mid-write: the write fails and the channel closes for
     * every thread (this wrapper too, so that the buffer sees it closed and reopens it).
     *
     * @param armed the switch, reset when it fires
     * @return this channel
     */
    QuotaChannel interruptingNextWrite(java.util.concurrent.atomic.AtomicBoolean armed) {
        this.interruptNextWrite = armed;
        return this;
    }

    /**
     * Runs {@code hook} before every force through this channel.
     *
     * @param hook what to do first; it may block or throw
     * @return this channel
     */
    QuotaChannel beforeForce(ForceHook hook) {
        this.beforeForce = hook;
        return this;
    }

    private static void check(java.util.concurrent.atomic.AtomicBoolean error) throws IOException {
        if (error.get()) {
            throw new IOException("Input/output error");
        }
    }

    private void charge(long position, int len) throws IOException {
        writes.incrementAndGet();
        long growth = position + len - delegate.size();
        if (growth <= 0) {
            return;
        }
        while (true) {
            long f = free.get();
            if (f < growth) {
                // a real disk writes what fits, then fails
                throw new IOException("No space left on device");
            }
            if (free.compareAndSet(f, f - growth)) {
                return;
            }
        }
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        return delegate.read(dst);
    }

    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
        return delegate.read(dsts, offset, length);
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        charge(delegate.position(), src.remaining());
        return delegate.write(src);
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        long n = 0;
        for (int i = offset; i < offset + length; i++) {
            n += write(srcs[i]);
        }
        return n;
    }

    @Override
    public long position() throws IOException {
        return delegate.position();
    }

    @Override
    public FileChannel position(long newPosition) throws IOException {
        delegate.position(newPosition);
        return this;
    }

    @Override
    public long size() throws IOException {
        return delegate.size();
    }

    @Override
    public FileChannel truncate(long size) throws IOException {
        long before = delegate.size();
        delegate.truncate(size);
        if (size < before) {
            free.addAndGet(before - size);
        }
        return this;
    }

    @Override
    public void force(boolean metaData) throws IOException {
        beforeForce.run();
        check(writeError);
        if (failForces.get() > 0 && failForces.decrementAndGet() >= 0) {
            throw new IOException("Input/output error");
        }
        delegate.force(metaData);
    }

    @Override
    public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
        return delegate.transferTo(position, count, target);
    }

    @Override
    public long transferFrom(ReadableByteChannel src, long position, long count) throws IOException {
        throw new IOException("not supported by the test channel");
    }

    @Override
    public int read(ByteBuffer dst, long position) throws IOException {
        check(readError);
        return delegate.read(dst, position);
    }

    @Override
    public int write(ByteBuffer src, long position) throws IOException {
        check(writeError);
        if (interruptNextWrite.compareAndSet(true, false)) {
            Thread.currentThread().interrupt();
        }
        try {
            charge(position, src.remaining());
            return delegate.write(src, position);
        } catch (java.nio.channels.ClosedChannelException closedUnderUs) {
            close();
            throw closedUnderUs;
        }
    }

    @Override
    public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
        return delegate.map(mode, position, size);
    }

    @Override
    public FileLock lock(long position, long size, boolean shared) throws IOException {
        return delegate.lock(position, size, shared);
    }

    @Override
    public FileLock tryLock(long position, long size, boolean shared) throws IOException {
        return delegate.tryLock(position, size, shared);
    }

    @Override
    protected void implCloseChannel() throws IOException {
        delegate.close();
    }
}

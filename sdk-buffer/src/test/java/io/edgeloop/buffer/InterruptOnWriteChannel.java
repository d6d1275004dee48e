package io.edgeloop.buffer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A file channel whose next positional write, once armed, is hit by an interrupt of the writing thread, as a real
 * {@code FileChannel} is when a thread is interrupted mid-write: the write fails and the channel is closed for every
 * thread. The edge of a unit test: the moment an interrupt lands cannot be chosen otherwise.
 */
final class InterruptOnWriteChannel extends FileChannel {
    private final FileChannel delegate;
    private final AtomicBoolean armed;

    InterruptOnWriteChannel(FileChannel delegate, AtomicBoolean armed) {
        this.delegate = delegate;
        this.armed = armed;
    }

    private <T> T closing(IoCall<T> call) throws IOException {
        try {
            return call.run();
        } catch (ClosedChannelException e) {
            close();
            throw e;
        }
    }

    private interface IoCall<T> {
        T run() throws IOException;
    }

    @Override
    public int write(ByteBuffer src, long position) throws IOException {
        if (armed.compareAndSet(true, false)) {
            Thread.currentThread().interrupt();
        }
        return closing(() -> delegate.write(src, position));
    }

    @Override
    public int read(ByteBuffer dst, long position) throws IOException {
        return closing(() -> delegate.read(dst, position));
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        return closing(() -> delegate.read(dst));
    }

    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
        return closing(() -> delegate.read(dsts, offset, length));
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        return closing(() -> delegate.write(src));
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        return closing(() -> delegate.write(srcs, offset, length));
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
        return closing(delegate::size);
    }

    @Override
    public FileChannel truncate(long size) throws IOException {
        closing(() -> delegate.truncate(size));
        return this;
    }

    @Override
    public void force(boolean metaData) throws IOException {
        closing(() -> {
            delegate.force(metaData);
            return null;
        });
    }

    @Override
    public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
        return delegate.transferTo(position, count, target);
    }

    @Override
    public long transferFrom(ReadableByteChannel src, long position, long count) throws IOException {
        return delegate.transferFrom(src, position, count);
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

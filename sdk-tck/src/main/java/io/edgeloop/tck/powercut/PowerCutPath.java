package io.edgeloop.tck.powercut;

import java.io.IOException;
import java.net.URI;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.Objects;

/**
 * A path of a {@link PowerCutFileSystem}: a real path of the default file system, wrapped so that every operation
 * on it goes through {@link PowerCutProvider}. {@link #toFile()} throws, as for any path outside the default file
 * system, which is how the harness finds code that bypasses NIO. {@link #toString()} is the real path's, so
 * messages read as they would on the real directory.
 *
 * <p>Thread-safe: immutable.
 */
final class PowerCutPath implements Path {
    private final PowerCutFileSystem fs;
    private final Path real;

    PowerCutPath(PowerCutFileSystem fs, Path real) {
        this.fs = Objects.requireNonNull(fs, "fs");
        this.real = Objects.requireNonNull(real, "real");
    }

    /** @return the real path this one stands for */
    Path real() {
        return real;
    }

    private PowerCutPath wrap(Path p) {
        return p == null ? null : new PowerCutPath(fs, p);
    }

    private Path unwrap(Path p) {
        return fs.unwrap(p);
    }

    @Override
    public PowerCutFileSystem getFileSystem() {
        return fs;
    }

    @Override
    public boolean isAbsolute() {
        return real.isAbsolute();
    }

    @Override
    public Path getRoot() {
        return wrap(real.getRoot());
    }

    @Override
    public Path getFileName() {
        return wrap(real.getFileName());
    }

    @Override
    public Path getParent() {
        return wrap(real.getParent());
    }

    @Override
    public int getNameCount() {
        return real.getNameCount();
    }

    @Override
    public Path getName(int index) {
        return wrap(real.getName(index));
    }

    @Override
    public Path subpath(int beginIndex, int endIndex) {
        return wrap(real.subpath(beginIndex, endIndex));
    }

    @Override
    public boolean startsWith(Path other) {
        return other instanceof PowerCutPath pp && pp.fs == fs && real.startsWith(pp.real);
    }

    @Override
    public boolean endsWith(Path other) {
        return other instanceof PowerCutPath pp && pp.fs == fs && real.endsWith(pp.real);
    }

    @Override
    public Path normalize() {
        return wrap(real.normalize());
    }

    @Override
    public Path resolve(Path other) {
        return wrap(real.resolve(unwrap(other)));
    }

    @Override
    public Path relativize(Path other) {
        return wrap(real.relativize(unwrap(other)));
    }

    @Override
    public URI toUri() {
        return URI.create(PowerCutProvider.SCHEME + "://" + real.toAbsolutePath().toUri().getRawPath());
    }

    @Override
    public Path toAbsolutePath() {
        return wrap(real.toAbsolutePath());
    }

    @Override
    public Path toRealPath(LinkOption... options) throws IOException {
        return fs.toRealPath(this, options);
    }

    @Override
    public WatchKey register(WatchService watcher, WatchEvent.Kind<?>[] events, WatchEvent.Modifier... modifiers) {
        throw new UnsupportedOperationException("the power-cut file system has no watch service");
    }

    @Override
    public int compareTo(Path other) {
        return real.compareTo(unwrap(other));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PowerCutPath pp && pp.fs == fs && pp.real.equals(real);
    }

    @Override
    public int hashCode() {
        return real.hashCode();
    }

    @Override
    public String toString() {
        return real.toString();
    }
}

package io.edgeloop.tck.powercut;

import java.io.IOException;
import java.net.URI;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.AccessMode;
import java.nio.file.CopyOption;
import java.nio.file.DirectoryStream;
import java.nio.file.FileStore;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.FileAttributeView;
import java.nio.file.spi.FileSystemProvider;
import java.util.Map;
import java.util.Set;

/**
 * The provider of one {@link PowerCutFileSystem}: unwraps paths and hands each operation to the file system, which
 * counts it, does it on the real directory and updates its model. Not installed: a path of the file system finds it
 * through {@link Path#getFileSystem()}, which is how {@link Files} and {@link FileChannel#open} dispatch.
 *
 * <p>Thread-safe: stateless; the file system serializes operations.
 */
final class PowerCutProvider extends FileSystemProvider {
    static final String SCHEME = "powercut";

    private final PowerCutFileSystem fs;

    PowerCutProvider(PowerCutFileSystem fs) {
        this.fs = fs;
    }

    @Override
    public String getScheme() {
        return SCHEME;
    }

    @Override
    public FileSystem newFileSystem(URI uri, Map<String, ?> env) {
        throw new UnsupportedOperationException("use PowerCutFileSystem.wrap");
    }

    @Override
    public FileSystem getFileSystem(URI uri) {
        throw new UnsupportedOperationException("use PowerCutFileSystem.wrap");
    }

    @Override
    public Path getPath(URI uri) {
        throw new UnsupportedOperationException("use PowerCutFileSystem.root().resolve");
    }

    @Override
    public FileChannel newFileChannel(Path path, Set<? extends OpenOption> options, FileAttribute<?>... attrs)
            throws IOException {
        return fs.open(fs.unwrap(path), options, attrs);
    }

    @Override
    public SeekableByteChannel newByteChannel(Path path, Set<? extends OpenOption> options,
            FileAttribute<?>... attrs) throws IOException {
        return newFileChannel(path, options, attrs);
    }

    @Override
    public DirectoryStream<Path> newDirectoryStream(Path dir, DirectoryStream.Filter<? super Path> filter)
            throws IOException {
        return fs.newDirectoryStream(fs.unwrap(dir), filter);
    }

    @Override
    public void createDirectory(Path dir, FileAttribute<?>... attrs) throws IOException {
        fs.createDirectory(fs.unwrap(dir), attrs);
    }

    @Override
    public void createSymbolicLink(Path link, Path target, FileAttribute<?>... attrs) {
        throw new UnsupportedOperationException("symbolic links are not modelled");
    }

    @Override
    public void createLink(Path link, Path existing) throws IOException {
        fs.createLink(fs.unwrap(link), fs.unwrap(existing));
    }

    @Override
    public void delete(Path path) throws IOException {
        fs.delete(fs.unwrap(path), false);
    }

    @Override
    public boolean deleteIfExists(Path path) throws IOException {
        return fs.delete(fs.unwrap(path), true);
    }

    @Override
    public void copy(Path source, Path target, CopyOption... options) throws IOException {
        fs.copy(fs.unwrap(source), fs.unwrap(target), options);
    }

    @Override
    public void move(Path source, Path target, CopyOption... options) throws IOException {
        fs.move(fs.unwrap(source), fs.unwrap(target), options);
    }

    @Override
    public boolean isSameFile(Path path, Path path2) throws IOException {
        Path a = fs.unwrap(path);
        Path b = fs.unwrap(path2);
        return fs.run("isSameFile", a, () -> Files.isSameFile(a, b));
    }

    @Override
    public boolean isHidden(Path path) throws IOException {
        Path p = fs.unwrap(path);
        return fs.run("isHidden", p, () -> Files.isHidden(p));
    }

    @Override
    public FileStore getFileStore(Path path) throws IOException {
        Path p = fs.unwrap(path);
        return fs.run("fileStore", p, () -> Files.getFileStore(p));
    }

    @Override
    public void checkAccess(Path path, AccessMode... modes) throws IOException {
        Path p = fs.unwrap(path);
        fs.run("access", p, () -> {
            p.getFileSystem().provider().checkAccess(p, modes);
            return null;
        });
    }

    @Override
    public <V extends FileAttributeView> V getFileAttributeView(Path path, Class<V> type, LinkOption... options) {
        return Files.getFileAttributeView(fs.unwrap(path), type, options);
    }

    @Override
    public <A extends BasicFileAttributes> A readAttributes(Path path, Class<A> type, LinkOption... options)
            throws IOException {
        Path p = fs.unwrap(path);
        return fs.run("stat", p, () -> Files.readAttributes(p, type, options));
    }

    @Override
    public Map<String, Object> readAttributes(Path path, String attributes, LinkOption... options)
            throws IOException {
        Path p = fs.unwrap(path);
        return fs.run("stat", p, () -> Files.readAttributes(p, attributes, options));
    }

    @Override
    public void setAttribute(Path path, String attribute, Object value, LinkOption... options) throws IOException {
        Path p = fs.unwrap(path);
        fs.run("setattr", p, () -> Files.setAttribute(p, attribute, value, options));
    }
}

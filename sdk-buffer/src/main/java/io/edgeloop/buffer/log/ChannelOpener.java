package io.edgeloop.buffer.log;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.util.Set;

/**
 * Opens the buffer's segment files. The default is {@link FileChannel#open(Path, Set, java.nio.file.attribute.FileAttribute[])};
 * tests substitute channels that fail like a full disk, and special platforms may add options.
 *
 * <p>Implementations must be thread-safe.
 */
@FunctionalInterface
public interface ChannelOpener {
    /** The default opener. */
    ChannelOpener DEFAULT = FileChannel::open;

    /**
     * Opens a file.
     *
     * @param path    the file
     * @param options the open options
     * @return the channel
     * @throws IOException when the file cannot be opened
     */
    FileChannel open(Path path, Set<? extends OpenOption> options) throws IOException;
}

package io.edgeloop.buffer.transport.file;

import io.edgeloop.api.record.IdempotencyKey;
import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.api.config.ConfigException;
import io.edgeloop.api.transport.Transport;
import io.edgeloop.api.transport.TransportProvider;
import io.edgeloop.buffer.transport.TransportSettings;
import java.net.URI;
import java.nio.file.Path;
import java.util.Set;

/**
 * Provider of the {@code file-drop} transport. Configuration: {@code uri} = {@code file:/path/to/dir}
 * (required; the directory must exist when sending, it is not created, so an unmounted USB stick is reported
 * rather than written to the root file system), {@code compression} ({@code none}, {@code gzip}, {@code lz4}),
 * {@code max-batch-bytes}, {@code fsync} (default true). Any other key is refused, naming the closest known key.
 *
 * <p>Thread-safe: stateless; {@link #create} does no I/O.
 */
public final class FileDropTransportProvider implements TransportProvider {
    /** Creates the provider (no I/O). */
    public FileDropTransportProvider() {
    }

    @Override
    public String name() {
        return "file-drop";
    }

    @Override
    public Transport create(ComponentConfig config) {
        TransportSettings.requireKnownKeys(config, name(), Set.of("fsync"));
        URI uri = TransportSettings.uri(config, "file");
        Path dir;
        try {
            dir = Path.of(uri);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(TransportSettings.URI_KEY, "Invalid value '" + uri
                    + "' for configuration key 'uri': expected an absolute file:/path/dir URI (" + e.getMessage() + ")");
        }
        return new FileDropTransport(dir, TransportSettings.codec(config), config.getBoolean("fsync", true));
    }

    /**
     * The name of the file a batch from key {@code first} to key {@code last} is written to (an other batch already
     * under that name puts it at {@code ~<n>} beside it).
     *
     * @param first the batch's first key
     * @param last  the batch's last key
     * @return the file name
     */
    public static String fileName(IdempotencyKey first, IdempotencyKey last) {
        return FileDropTransport.fileName(first, last);
    }
}

package io.edgeloop.buffer.transport.file;

import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.api.transport.Envelope;
import io.edgeloop.api.transport.TransportProvider;
import io.edgeloop.buffer.receiver.DropDirectoryReader;
import io.edgeloop.tck.TransportContractTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;

/**
 * The transport contract against a real drop directory. An outage is the directory going away (an unmounted share)
 * and coming back. The pause hooks are not implemented: a local file write has no receiver that could withhold an
 * acknowledgement, so the blocked-send test is reported as skipped for this transport.
 */
class FileDropTransportContractTest extends TransportContractTest {
    @TempDir
    Path dir;

    @Override
    protected TransportProvider provider() {
        return new FileDropTransportProvider();
    }

    @Override
    protected ComponentConfig config() {
        return ComponentConfig.of(Map.of("uri", dir.toUri().toString(), "compression", "lz4"));
    }

    @Override
    protected List<Envelope> received() throws Exception {
        DropDirectoryReader.Result r = new DropDirectoryReader().read(dir);
        if (!r.problems().isEmpty()) {
            throw new AssertionError("unreadable drop files: " + r.problems());
        }
        return r.envelopes();
    }

    @Override
    protected ComponentConfig unreachableConfig() {
        return ComponentConfig.of(Map.of("uri", dir.resolve("not-mounted").toUri().toString()));
    }

    @Override
    protected void stopReceiver() throws Exception {
        Files.move(dir, away());
    }

    @Override
    protected void startReceiver() throws Exception {
        Files.move(away(), dir);
    }

    private Path away() {
        return dir.resolveSibling(dir.getFileName() + "-unmounted");
    }
}

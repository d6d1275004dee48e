package io.edgeloop.buffer.transport.file;

import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.api.transport.Envelope;
import io.edgeloop.api.transport.TransportProvider;
import io.edgeloop.buffer.receiver.DropDirectoryReader;
import io.edgeloop.tck.TransportContractTest;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;

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
}

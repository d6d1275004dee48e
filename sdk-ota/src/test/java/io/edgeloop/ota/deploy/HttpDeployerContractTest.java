package io.edgeloop.ota.deploy;

import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.api.deploy.DeployerProvider;
import io.edgeloop.ota.server.ChannelStore;
import io.edgeloop.ota.server.UpdateServer;
import io.edgeloop.tck.DeployerContractTest;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;

/** The contract against a real update server on a loopback port. */
class HttpDeployerContractTest extends DeployerContractTest {
    private final List<UpdateServer> servers = new ArrayList<>();

    @Override
    protected DeployerProvider provider() {
        return new HttpDeployerProvider();
    }

    @Override
    protected ComponentConfig config(Path workDir) throws Exception {
        UpdateServer s = new UpdateServer(ChannelStore.withoutVerification(workDir), new InetSocketAddress("127.0.0.1", 0), 1 << 26);
        servers.add(s);
        return ComponentConfig.of(Map.of("url", s.url()));
    }

    @AfterEach
    void stop() {
        servers.forEach(UpdateServer::close);
    }

    /** The store refuses unreadable bundles and stale sequences: publish real bundles, the seed as sequence. */
    @Override
    protected Path bundleFile(Path dir, int size, long seed) throws Exception {
        Path f = dir.resolve("bundle-" + seed + ".tar");
        java.nio.file.Files.write(f, io.edgeloop.ota.testing.Fixtures.opaqueBundle("tck", seed, size, seed,
                io.edgeloop.ota.testing.Fixtures.key(io.edgeloop.ota.trust.KeyAlgorithm.ED25519, 77)));
        return f;
    }
}

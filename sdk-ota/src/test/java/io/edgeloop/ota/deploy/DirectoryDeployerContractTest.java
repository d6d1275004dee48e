package io.edgeloop.ota.deploy;

import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.api.deploy.DeployerProvider;
import io.edgeloop.tck.DeployerContractTest;
import java.nio.file.Path;
import java.util.Map;

class DirectoryDeployerContractTest extends DeployerContractTest {
    @Override
    protected DeployerProvider provider() {
        return new DirectoryDeployerProvider();
    }

    @Override
    protected ComponentConfig config(Path workDir) {
        return ComponentConfig.of(Map.of("root", workDir.toString()));
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

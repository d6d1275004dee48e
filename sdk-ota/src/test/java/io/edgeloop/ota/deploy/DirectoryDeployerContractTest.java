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
}

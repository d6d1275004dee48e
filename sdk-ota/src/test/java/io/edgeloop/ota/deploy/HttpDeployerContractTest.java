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
        UpdateServer s = new UpdateServer(new ChannelStore(workDir), new InetSocketAddress("127.0.0.1", 0), 1 << 26);
        servers.add(s);
        return ComponentConfig.of(Map.of("url", s.url()));
    }

    @AfterEach
    void stop() {
        servers.forEach(UpdateServer::close);
    }
}

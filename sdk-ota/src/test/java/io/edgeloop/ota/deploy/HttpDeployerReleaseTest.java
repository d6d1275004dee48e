package io.edgeloop.ota.deploy;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.api.deploy.Deployer;
import io.edgeloop.ota.server.ChannelStore;
import io.edgeloop.ota.server.UpdateServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A deployer made per poll (the {@code DeviceAgent.poll(Deployer, ...)} pattern) must not leave threads or
 * descriptors behind: 200 create/latest/close cycles against a real update server, counted without any GC in
 * between (JDK 17's HttpClient gives its selector thread and descriptors back only when collected, so a client
 * per deployer grew 17 to 694 descriptors and 199 selector threads in the review's probe).
 */
class HttpDeployerReleaseTest {
    private static long fds() throws IOException {
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            return s.count();
        }
    }

    private static long httpClientThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().startsWith("HttpClient-")).count();
    }

    @Test
    void twoHundredCyclesDoNotGrowThreadsOrDescriptors(@TempDir Path dir) throws Exception {
        assumeTrue(Files.isDirectory(Path.of("/proc/self/fd")), "needs /proc/self/fd to count descriptors");
        try (UpdateServer server = new UpdateServer(ChannelStore.withoutVerification(dir), new InetSocketAddress("127.0.0.1", 0),
                1 << 20)) {
            HttpDeployerProvider provider = new HttpDeployerProvider();
            ComponentConfig config = ComponentConfig.of(Map.of("url", server.url()));
            try (Deployer warm = provider.create(config)) {
                warm.latest("stable"); // classes loaded and the shared client started once
            }
            long fds0 = fds();
            long threads0 = httpClientThreads();
            for (int i = 0; i < 200; i++) {
                Deployer d = provider.create(config);
                d.latest("stable");
                d.close();
                d.close();
            }
            long fds1 = fds();
            long threads1 = httpClientThreads();
            assertTrue(fds1 <= fds0 + 5, "descriptors grew from " + fds0 + " to " + fds1 + " over 200 cycles");
            assertTrue(threads1 <= threads0 + 4, "HttpClient threads grew from " + threads0 + " to " + threads1
                    + " over 200 cycles");
        }
    }
}

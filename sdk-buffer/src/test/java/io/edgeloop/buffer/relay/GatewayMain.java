package io.edgeloop.buffer.relay;

import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.api.spi.ProviderLoader;
import io.edgeloop.api.transport.Transport;
import io.edgeloop.api.transport.TransportProvider;
import io.edgeloop.buffer.DurableBuffer;
import io.edgeloop.buffer.forward.Forwarder;
import io.edgeloop.buffer.policy.Durability;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * A gateway process for {@link RelayGatewayKillTest}: its own durable buffer fed by a relay server, drained
 * upstream over HTTP. Arguments: buffer directory, relay port, upstream ingest URI. Prints {@code ready} once
 * it accepts devices, then runs until killed.
 */
public final class GatewayMain {
    private GatewayMain() {
    }

    /**
     * @param args buffer directory, relay port, upstream URI
     * @throws Exception when the gateway cannot start
     */
    public static void main(String[] args) throws Exception {
        DurableBuffer buffer = DurableBuffer.builder().directory(Path.of(args[0])).deviceId("gateway-1")
                .durability(Durability.groupCommit(Duration.ofMillis(5), 1 << 20)).open();
        Transport http = ProviderLoader.of(TransportProvider.class).select("http")
                .create(ComponentConfig.of(Map.of("uri", args[2], "compression", "gzip")));
        Forwarder.builder().source(buffer, "upstream").transport(RelayedEnvelopes.unwrapping(http))
                .batching(64, 1 << 20, Duration.ofMillis(5))
                .backoff(Duration.ofMillis(20), Duration.ofMillis(200), 0.5, 3).build().start();
        RelayServer.builder().port(Integer.parseInt(args[1])).sink(new BufferRelaySink(buffer)).start();
        System.out.println("ready");
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}

package io.edgeloop.tck;

import java.io.BufferedReader;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Picks loopback ports for test receivers that are stopped and started again at the same port (outage tests).
 *
 * <p>A port the system hands out for {@code bind(0)} comes from the ephemeral range, the range it also takes the
 * local ports of outgoing connections from. Once a receiver on such a port stops, any outgoing connection on the
 * machine (a broker client, a build downloading) may be given that port, and the restart fails with "Address
 * already in use". Ports below the ephemeral range are never handed out that way, so only an explicit bind can
 * take them. {@link #restartable()} picks one that is free now.
 *
 * <p>Thread-safe: stateless.
 */
public final class LoopbackPorts {
    private static final Path RANGE = Path.of("/proc/sys/net/ipv4/ip_local_port_range");
    private static final int DEFAULT_EPHEMERAL_LOW = 32768;
    private static final int LOWEST = 10000;

    private LoopbackPorts() {
    }

    /**
     * Returns a loopback port that is free now and lies below the system's ephemeral port range, so that it stays
     * free for a restart of whatever binds it. When none of the ports tried is free (or the range leaves no room),
     * it falls back to a free ephemeral port.
     *
     * @return the port
     * @throws IOException when no port at all can be bound on the loopback address
     */
    public static int restartable() throws IOException {
        int high = ephemeralLow() - 1;
        if (high > LOWEST) {
            ThreadLocalRandom random = ThreadLocalRandom.current();
            for (int attempt = 0; attempt < 100; attempt++) {
                int port = random.nextInt(LOWEST, high + 1);
                if (free(port)) {
                    return port;
                }
            }
        }
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static boolean free(int port) {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** @return the lowest port of the ephemeral range (Linux), or 32768 where it cannot be read */
    static int ephemeralLow() {
        // read as a line: Files.readString of a /proc file returns only its first byte on JDK 17 (its size is 0)
        try (BufferedReader r = Files.newBufferedReader(RANGE)) {
            return Integer.parseInt(r.readLine().trim().split("\\s+")[0]);
        } catch (IOException | RuntimeException e) {
            return DEFAULT_EPHEMERAL_LOW;
        }
    }
}

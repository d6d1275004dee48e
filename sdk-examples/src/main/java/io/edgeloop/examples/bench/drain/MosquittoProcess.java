package io.edgeloop.examples.bench.drain;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A mosquitto broker on a free loopback port for the bench, started from {@code /usr/sbin/mosquitto} with a
 * generated configuration (no persistence: the bench measures the sender, as a drain to a stock broker does).
 *
 * <p>Not thread-safe.
 */
final class MosquittoProcess implements AutoCloseable {
    static final Path BINARY = Path.of("/usr/sbin/mosquitto");

    private final Process process;
    private final int port;

    private MosquittoProcess(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /**
     * Starts a broker and waits until it listens.
     *
     * @param dir a directory for its configuration and log
     * @return the running broker
     * @throws IOException when mosquitto is missing or does not start
     */
    static MosquittoProcess start(Path dir) throws IOException, InterruptedException {
        if (!Files.isExecutable(BINARY)) {
            throw new IOException(BINARY + " is missing: install mosquitto (scripts/install-test-deps.sh) or give"
                    + " --mqtt HOST:PORT");
        }
        Files.createDirectories(dir);
        IOException last = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            int port;
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                port = s.getLocalPort();
            }
            Path conf = dir.resolve("mosquitto.conf");
            // Started as root, mosquitto would switch to user "mosquitto", which cannot write our log file.
            Files.writeString(conf, "listener " + port + " 127.0.0.1\nallow_anonymous true\n"
                    + "user " + System.getProperty("user.name") + "\nlog_dest file " + dir.resolve("mosquitto.log")
                    + "\nmax_queued_messages 100000\n");
            Process p = new ProcessBuilder(BINARY.toString(), "-c", conf.toString()).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("mosquitto.out").toFile()).start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (p.isAlive() && System.nanoTime() < deadline) {
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
                    return new MosquittoProcess(p, port);
                } catch (IOException notYet) {
                    Thread.sleep(20);
                }
            }
            p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            // the port may have been taken between our probe and mosquitto's bind: try another one
            last = new IOException("mosquitto did not listen on port " + port + ": "
                    + Files.readString(dir.resolve("mosquitto.out")).strip());
        }
        throw last;
    }

    /** @return the port it listens on */
    int port() {
        return port;
    }

    /** Kills the broker and waits until it is gone. Idempotent. */
    @Override
    public void close() {
        if (process.isAlive()) {
            try {
                process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}

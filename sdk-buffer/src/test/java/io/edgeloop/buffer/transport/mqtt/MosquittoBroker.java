package io.edgeloop.buffer.transport.mqtt;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A real mosquitto broker on a loopback port, started from {@code /usr/sbin/mosquitto} with a generated
 * configuration; can be killed with SIGKILL and restarted on the same port with the same persistence directory.
 */
final class MosquittoBroker implements AutoCloseable {
    static final Path BINARY = Path.of("/usr/sbin/mosquitto");

    private final Path dir;
    private int port;
    private final boolean persistence;
    private final String extra;
    private Process process;

    private MosquittoBroker(Path dir, int port, boolean persistence, String extra) {
        this.dir = dir;
        this.port = port;
        this.persistence = persistence;
        this.extra = extra;
    }

    /**
     * Starts a broker on a free loopback port.
     *
     * @param dir         a directory for its configuration, log and persistence file
     * @param persistence whether to persist sessions and queued messages (saved after every change)
     */
    static MosquittoBroker start(Path dir, boolean persistence) throws Exception {
        return start(dir, persistence, "allow_anonymous true\n");
    }

    /**
     * Starts a broker on a free loopback port with extra configuration lines (authentication settings).
     */
    static MosquittoBroker start(Path dir, boolean persistence, String extra) throws Exception {
        if (!Files.isExecutable(BINARY)) {
            throw new IllegalStateException(BINARY + " is missing: install mosquitto (scripts/install-test-deps.sh)");
        }
        MosquittoBroker b = new MosquittoBroker(dir, freePort(), persistence, extra);
        // The port was free when picked but is only bound by mosquitto later; should something else have taken it
        // meanwhile, mosquitto exits at once, and a fresh port is tried (a restart keeps its port: clients know it).
        for (int attempt = 1; ; attempt++) {
            try {
                b.startProcess();
                return b;
            } catch (PortTakenException e) {
                if (attempt == 3) {
                    throw e;
                }
                b.port = freePort();
            }
        }
    }

    /** A free port below the ephemeral range: a restarted broker must find it still free. */
    static int freePort() throws IOException {
        return io.edgeloop.tck.LoopbackPorts.restartable();
    }

    /** @return the broker's log so far, for failure messages */
    String log() {
        try {
            return Files.readString(dir.resolve("mosquitto.log"));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    int port() {
        return port;
    }

    String uri(String topic) {
        return "mqtt://127.0.0.1:" + port + "/" + topic;
    }

    String pahoUri() {
        return "tcp://127.0.0.1:" + port;
    }

    void startProcess() throws Exception {
        Path conf = dir.resolve("mosquitto.conf");
        StringBuilder c = new StringBuilder();
        c.append("listener ").append(port).append(" 127.0.0.1\n");
        c.append(extra);
        c.append("log_dest file ").append(dir.resolve("mosquitto.log")).append('\n');
        // Started as root, mosquitto would switch to user "mosquitto", which cannot write into our private
        // temporary directory (log, persistence); naming the current user keeps it as it is.
        c.append("user ").append(System.getProperty("user.name")).append('\n');
        c.append("log_type error\nlog_type warning\nlog_type notice\nlog_type information\n");
        c.append("max_queued_messages 100000\n");
        if (persistence) {
            c.append("persistence true\n");
            c.append("persistence_location ").append(dir).append("/\n");
            // Save after every change, not every 30 minutes, so sessions and queues survive SIGKILL.
            c.append("autosave_on_changes true\n");
            c.append("autosave_interval 1\n");
        }
        Files.writeString(conf, c.toString());
        process = new ProcessBuilder(BINARY.toString(), "-c", conf.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("mosquitto.out").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                String out = Files.readString(dir.resolve("mosquitto.out")) + log();
                if (out.contains("Address already in use")) {
                    throw new PortTakenException("mosquitto could not bind port " + port + ": " + out);
                }
                throw new IllegalStateException("mosquitto exited with " + process.exitValue() + ": " + out);
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
                return;
            } catch (IOException notYet) {
                Thread.sleep(20);
            }
        }
        throw new IllegalStateException("mosquitto did not listen on " + port + " within 60 s");
    }

    /** mosquitto found its port taken. */
    static final class PortTakenException extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        PortTakenException(String message) {
            super(message);
        }
    }

    /**
     * Stops the broker with SIGSTOP: its sockets stay open but it reads, answers and saves nothing until it is
     * killed (a hung broker, or one frozen at the instant of a crash).
     */
    void pause() throws Exception {
        Process stop = new ProcessBuilder("kill", "-STOP", Long.toString(process.pid())).inheritIO().start();
        if (!stop.waitFor(60, TimeUnit.SECONDS) || stop.exitValue() != 0) {
            throw new IllegalStateException("kill -STOP " + process.pid() + " failed");
        }
    }

    /** Kills the broker with SIGKILL (no shutdown save) and waits until it is gone, so its port is free again. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            throw new IllegalStateException("mosquitto survived SIGKILL for 60 s");
        }
    }

    @Override
    public void close() {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
            try {
                // gone before JUnit deletes the directory it writes its log and persistence file into
                process.waitFor(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}

package io.edgeloop.examples.customtransport;

import com.fasterxml.jackson.databind.JsonNode;
import io.edgeloop.api.record.IdempotencyKey;
import io.edgeloop.api.transport.Envelope;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The receiving end of {@link JsonLinesTcpTransport}: a small TCP server on loopback that stores each batch
 * (in memory and, when a log file is given, appended and forced to disk) before it answers {@code {"ack": n}},
 * and counts duplicates by idempotency key.
 *
 * <p>Thread-safe: one thread per connection; the stored envelopes are guarded by a lock. {@link #close()} is
 * idempotent.
 */
public final class JsonLinesTcpReceiver implements AutoCloseable {
    private final ServerSocket server;
    private final ExecutorService threads;
    private final Optional<FileChannel> log;
    private final Object lock = new Object();
    private final List<Envelope> received = new ArrayList<>();
    private final Set<IdempotencyKey> seen = new HashSet<>();
    private final List<Socket> connections = new ArrayList<>();
    private long duplicates;
    private volatile boolean closed;

    private JsonLinesTcpReceiver(ServerSocket server, Optional<FileChannel> log) {
        this.server = server;
        this.log = log;
        this.threads = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "json-lines-tcp-receiver");
            t.setDaemon(true);
            return t;
        });
        threads.execute(this::acceptLoop);
    }

    /**
     * Starts a receiver on the loopback interface.
     *
     * @param port the port, 0 for any free port
     * @param log  a file to append every accepted envelope to as a JSON line (forced before the ack), or null
     * @return the running receiver
     * @throws IOException when the port cannot be bound or the log not opened
     */
    public static JsonLinesTcpReceiver start(int port, Path log) throws IOException {
        ServerSocket s = new ServerSocket();
        try {
            s.setReuseAddress(true); // a restarted receiver can take its port back while old connections linger
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            Optional<FileChannel> ch = log == null ? Optional.empty() : Optional.of(FileChannel.open(log,
                    StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND));
            return new JsonLinesTcpReceiver(s, ch);
        } catch (IOException e) {
            s.close();
            throw e;
        }
    }

    /** @return the bound port */
    public int port() {
        return server.getLocalPort();
    }

    /** @return every envelope acknowledged so far, duplicates included, in arrival order */
    public List<Envelope> received() {
        synchronized (lock) {
            return List.copyOf(received);
        }
    }

    /** @return how many distinct idempotency keys were acknowledged */
    public int uniqueCount() {
        synchronized (lock) {
            return seen.size();
        }
    }

    /** @return how many acknowledged envelopes repeated a key already seen */
    public long duplicates() {
        synchronized (lock) {
            return duplicates;
        }
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket s = server.accept();
                synchronized (lock) {
                    connections.add(s);
                }
                threads.execute(() -> serve(s));
            } catch (IOException e) {
                if (!closed) {
                    continue; // a failed accept does not stop the server
                }
            }
        }
    }

    private void serve(Socket s) {
        try (s;
             BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
             BufferedWriter out = new BufferedWriter(new OutputStreamWriter(s.getOutputStream(), StandardCharsets.UTF_8))) {
            String hello = in.readLine();
            if (hello == null) {
                return;
            }
            JsonNode h = JsonLines.JSON.readTree(hello);
            if (!JsonLines.PROTOCOL.equals(h.path("protocol").asText()) || h.path("version").asInt() != JsonLines.VERSION) {
                reply(out, JsonLines.JSON.createObjectNode().put("error", "unsupported protocol " + hello + "; this "
                        + "receiver speaks " + JsonLines.PROTOCOL + " version " + JsonLines.VERSION).toString());
                return;
            }
            List<Envelope> batch = new ArrayList<>();
            StringBuilder lines = new StringBuilder();
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                JsonNode n = JsonLines.JSON.readTree(line);
                if (n.has("end")) {
                    if (n.get("end").asInt(-1) != batch.size()) {
                        reply(out, "{\"error\":\"batch announced " + n.get("end").asInt(-1) + " envelopes, received "
                                + batch.size() + "\"}");
                        return;
                    }
                    store(batch, lines.toString());
                    reply(out, "{\"ack\":" + batch.size() + "}");
                    batch.clear();
                    lines.setLength(0);
                } else {
                    batch.add(JsonLines.parseEnvelope(n));
                    lines.append(line).append('\n');
                }
            }
        } catch (IOException e) {
            // A broken or malformed connection loses only its unacknowledged batch; the sender resends it.
        } finally {
            synchronized (lock) {
                connections.remove(s);
            }
        }
    }

    private void store(List<Envelope> batch, String lines) throws IOException {
        synchronized (lock) {
            if (log.isPresent()) {
                ByteBuffer b = ByteBuffer.wrap(lines.getBytes(StandardCharsets.UTF_8));
                while (b.hasRemaining()) {
                    log.get().write(b);
                }
                log.get().force(false);
            }
            for (Envelope e : batch) {
                if (!seen.add(e.key())) {
                    duplicates++;
                }
            }
            received.addAll(batch);
        }
    }

    private static void reply(BufferedWriter out, String line) throws IOException {
        out.write(line);
        out.write('\n');
        out.flush();
    }

    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        server.close();
        synchronized (lock) {
            for (Socket s : connections) {
                s.close();
            }
        }
        threads.shutdownNow();
        if (log.isPresent()) {
            log.get().close();
        }
    }
}

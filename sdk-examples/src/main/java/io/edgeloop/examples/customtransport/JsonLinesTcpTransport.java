package io.edgeloop.examples.customtransport;

import com.fasterxml.jackson.databind.JsonNode;
import io.edgeloop.api.transport.Batch;
import io.edgeloop.api.transport.Envelope;
import io.edgeloop.api.transport.Transport;
import io.edgeloop.api.transport.TransportException;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Sends batches as JSON lines over one TCP connection, opened lazily and reopened after any failure. A batch is
 * acknowledged when the receiver answers {@code {"ack": n}} with the batch's size; anything else, a timeout or a
 * broken connection is a retryable {@link TransportException} (the caller resends, the receiver drops duplicates
 * by key). An {@code {"error": ...}} answer (for example an unsupported protocol version) is not retryable.
 *
 * <p>Thread-safety: {@link #send} is called by one thread at a time; {@link #close()} may be called from any
 * thread and is idempotent; {@code send} after close throws {@link IllegalStateException}.
 */
public final class JsonLinesTcpTransport implements Transport {
    private final String host;
    private final int port;
    private final Duration timeout;
    private final Object lock = new Object();
    private volatile Socket socket;
    private BufferedReader in;
    private BufferedWriter out;
    private volatile boolean closed;

    JsonLinesTcpTransport(String host, int port, Duration timeout) {
        this.host = host;
        this.port = port;
        this.timeout = timeout;
    }

    @Override
    public void send(Batch batch) throws TransportException {
        synchronized (lock) {
            if (closed) {
                throw new IllegalStateException("json-lines-tcp transport to " + host + ":" + port + " is closed");
            }
            try {
                connect();
                for (Envelope e : batch.envelopes()) {
                    out.write(JsonLines.envelope(e));
                    out.write('\n');
                }
                out.write("{\"end\":" + batch.size() + "}\n");
                out.flush();
                String reply = in.readLine();
                if (reply == null) {
                    throw new IOException("the receiver closed the connection before acknowledging");
                }
                JsonNode n = JsonLines.JSON.readTree(reply);
                if (n.has("error")) {
                    disconnect();
                    // The receiver's errors refuse the connection (another protocol version) or the transmission (a
                    // count mismatch), never a record: retryable, so a forwarder keeps the records rather than
                    // skipping every one of them.
                    throw new TransportException("json-lines-tcp receiver " + host + ":" + port + " refused the batch: "
                            + n.get("error").asText(), true);
                }
                if (n.path("ack").asLong(-1) != batch.size()) {
                    throw new IOException("unexpected reply " + reply + " to a batch of " + batch.size());
                }
            } catch (SocketTimeoutException e) {
                disconnect();
                throw new TransportException("json-lines-tcp receiver " + host + ":" + port + " did not acknowledge "
                        + "within " + timeout, true, e);
            } catch (IOException e) {
                disconnect();
                throw new TransportException("json-lines-tcp send to " + host + ":" + port + " failed: "
                        + e.getMessage(), true, e);
            }
        }
    }

    private void connect() throws IOException {
        if (socket != null) {
            return;
        }
        Socket s = new Socket();
        try {
            s.connect(new InetSocketAddress(host, port), (int) Math.min(Integer.MAX_VALUE, timeout.toMillis()));
            s.setSoTimeout((int) Math.min(Integer.MAX_VALUE, timeout.toMillis()));
            s.setTcpNoDelay(true);
            BufferedWriter w = new BufferedWriter(new OutputStreamWriter(s.getOutputStream(), StandardCharsets.UTF_8),
                    1 << 16);
            BufferedReader r = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
            w.write(JsonLines.hello());
            w.write('\n');
            w.flush();
            socket = s;
            out = w;
            in = r;
        } catch (IOException e) {
            s.close();
            throw e;
        }
    }

    private void disconnect() {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // The connection is being dropped after a failure; nothing more to do.
            }
        }
        socket = null;
        in = null;
        out = null;
    }

    @Override
    public boolean isReachable() {
        return !closed;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        Socket s = socket; // close from any thread: unblocks a send waiting for its ack
        if (s != null) {
            try {
                s.close();
            } catch (IOException ignored) {
                // Closing is best effort; the socket is unusable either way.
            }
        }
        synchronized (lock) {
            disconnect();
        }
    }
}

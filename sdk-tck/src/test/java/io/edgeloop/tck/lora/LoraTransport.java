// Copied from the reviewer's third-party project (/tmp/rev-api/lora, review of 2026-11-30): a deliberately
// breakable implementation whose `fault` switch turns on one known defect, so the kit's own tests can prove that
// each contract test fails for it.
package io.edgeloop.tck.lora;

import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.api.transport.Batch;
import io.edgeloop.api.transport.Envelope;
import io.edgeloop.api.transport.Transport;
import io.edgeloop.api.transport.TransportException;
import java.io.*;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.concurrent.CompletableFuture;

/** Sends batches over TCP to a gateway that answers one ack byte per batch. */
final class LoraTransport implements Transport {
    private final int port;
    private final String fault;
    private final int ackTimeoutMillis;
    private final Object lock = new Object();
    private Socket socket;
    private volatile boolean closed;
    private boolean failedOnce;
    private int closes;

    LoraTransport(ComponentConfig c) {
        this.port = c.getInt("port", 0, 1, 65535);
        this.fault = c.getString("fault", "none");
        // Edgeloop addition to the copy: the kit tests set a short ack wait, so the silent-receiver test is quick
        this.ackTimeoutMillis = (int) c.getDuration("ack-timeout", java.time.Duration.ofSeconds(10)).toMillis();
    }

    @Override
    public void send(Batch batch) throws TransportException {
        if (closed) throw new IllegalStateException("closed");
        if (fault.equals("hang") && port == 9) {
            try { Thread.sleep(Long.MAX_VALUE); } catch (InterruptedException e) { Thread.currentThread().interrupt(); }
        }
        synchronized (lock) {
            if (fault.equals("drop-after-failure") && failedOnce) {
                return; // BUG: a transport that "gave up" silently acknowledges everything
            }
            try {
                if (socket == null) {
                    socket = new Socket();
                    socket.connect(new InetSocketAddress("127.0.0.1", port), 2000);
                    socket.setSoTimeout(fault.equals("slow-ack") ? 0 : ackTimeoutMillis);
                }
                DataOutputStream out = new DataOutputStream(new BufferedOutputStream(socket.getOutputStream()));
                out.writeInt(batch.size());
                for (Envelope e : batch.envelopes()) {
                    out.writeUTF(e.key().toString());
                    out.writeLong(fault.equals("no-meta") ? 0 : e.timestampMillis());
                    out.writeInt(fault.equals("no-meta") ? 0 : e.priority());
                    byte[] p = e.payloadBytes();
                    out.writeInt(p.length);
                    out.write(p);
                }
                out.flush();
                int ack;
                try {
                    ack = socket.getInputStream().read();
                } catch (java.net.SocketTimeoutException e) {
                    if (fault.equals("ack-timeout-ok")) {
                        return; // BUG: no acknowledgement within the ack timeout is taken as delivered
                    }
                    throw e;
                }
                if (ack != 1) throw new IOException("no ack: " + ack);
            } catch (IOException e) {
                failedOnce = true;
                closeQuietly();
                throw new TransportException("lora gateway 127.0.0.1:" + port + ": " + e, true, e);
            }
        }
    }

    @Override
    public CompletableFuture<Void> sendAsync(Batch batch) {
        if (fault.equals("async-after-close-ok") && closed) {
            return CompletableFuture.completedFuture(null); // BUG: acknowledges after close
        }
        return Transport.super.sendAsync(batch);
    }

    private void closeQuietly() {
        try { if (socket != null) socket.close(); } catch (IOException ignored) { }
        socket = null;
    }

    @Override
    public void close() throws TransportException {
        if (fault.equals("close-blocks")) {
            synchronized (lock) { closed = true; closeQuietly(); } // BUG: waits for a blocked send
            return;
        }
        closed = true;
        Socket s = socket;
        try { if (s != null) s.close(); } catch (IOException ignored) { }
    }
}

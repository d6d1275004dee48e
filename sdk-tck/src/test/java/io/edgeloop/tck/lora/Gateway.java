// Copied from the reviewer's third-party project (/tmp/rev-api/lora, review of 2026-11-30): a deliberately
// breakable implementation whose `fault` switch turns on one known defect, so the kit's own tests can prove that
// each contract test fails for it.
package io.edgeloop.tck.lora;

import io.edgeloop.api.record.IdempotencyKey;
import io.edgeloop.api.transport.Envelope;
import java.io.*;
import java.net.*;
import java.util.*;

/** Loopback test gateway: stores envelopes, acks each batch with one byte. */
public final class Gateway implements AutoCloseable {
    private final ServerSocket server;
    private final List<Envelope> got = Collections.synchronizedList(new ArrayList<>());
    volatile long ackDelayMillis;

    public Gateway() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread t = new Thread(this::acceptLoop, "gateway");
        t.setDaemon(true);
        t.start();
    }

    public int port() { return server.getLocalPort(); }

    public List<Envelope> received() { synchronized (got) { return new ArrayList<>(got); } }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                Thread t = new Thread(() -> serve(s));
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket s) {
        try (s; DataInputStream in = new DataInputStream(new BufferedInputStream(s.getInputStream()))) {
            OutputStream out = s.getOutputStream();
            while (true) {
                int n = in.readInt();
                for (int i = 0; i < n; i++) {
                    IdempotencyKey k = IdempotencyKey.parse(in.readUTF());
                    long ts = in.readLong();
                    int prio = in.readInt();
                    byte[] p = new byte[in.readInt()];
                    in.readFully(p);
                    got.add(new Envelope(k, ts, prio, p));
                }
                if (ackDelayMillis > 0) Thread.sleep(ackDelayMillis);
                out.write(1);
                out.flush();
            }
        } catch (IOException | InterruptedException e) {
            // connection ended
        }
    }

    @Override public void close() throws IOException { server.close(); }
}

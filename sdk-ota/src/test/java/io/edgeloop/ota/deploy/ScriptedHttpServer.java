package io.edgeloop.ota.deploy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real HTTP/1.1 server on loopback that misbehaves on purpose: it drops the connection in the middle of the first
 * bundle download, streams more bytes than the publication announced, stops sending (but keeps the connection
 * open) in the middle of the first download or of the {@code latest} answer, or announces a bad location. It
 * answers {@code GET .../latest} with a fixed publication and {@code GET /bundle} with the bundle bytes (honouring
 * {@code Range: bytes=N-}). Each connection is served on its own thread, so a stalled one does not hold up the next.
 */
final class ScriptedHttpServer implements AutoCloseable {
    enum Mode {
        DROP_FIRST_DOWNLOAD, STREAM_EXTRA, STALL_FIRST_DOWNLOAD, STALL_LATEST,
        /** Serves every request properly. */
        PLAIN,
        /** Sends half of the first download, counts down {@link #stalled}, waits for {@link #release}, sends the rest. */
        PAUSE_FIRST_DOWNLOAD,
        /** Sends every download {@link #TRICKLE_BYTES} bytes at a time, {@link #TRICKLE_PAUSE_MS} apart. */
        TRICKLE
    }

    /** Bytes per step of {@link Mode#TRICKLE}. */
    static final int TRICKLE_BYTES = 100;
    /** Pause between the steps of {@link Mode#TRICKLE}: 100 bytes / 200 ms is 500 bytes/s. */
    static final int TRICKLE_PAUSE_MS = 200;

    private final ServerSocket socket;
    private final byte[] bundle;
    private final Mode mode;
    private final long extraBytes;
    private final String publication;
    private final AtomicInteger downloads = new AtomicInteger();
    final List<String> ranges = new CopyOnWriteArrayList<>();
    /** Every request line received, in order. */
    final List<String> requestLines = new CopyOnWriteArrayList<>();
    /** Counted down when a stalling mode has sent its part and stops sending. */
    final java.util.concurrent.CountDownLatch stalled = new java.util.concurrent.CountDownLatch(1);
    /** Bytes of the bundle sent before the stall. */
    volatile int sentBeforeStall;
    /** Counted down by a test to end a stall by closing the connection. */
    final java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    /** Counted down when the client closed a stalled connection. */
    final java.util.concurrent.CountDownLatch clientHungUp = new java.util.concurrent.CountDownLatch(1);
    private final Thread thread;

    /**
     * @param name       the model name announced
     * @param sequence   the sequence announced
     * @param sha256     the digest announced
     * @param sizeBytes  the size announced
     * @param bundle     the bytes served
     * @param mode       how to misbehave
     * @param extraBytes for STREAM_EXTRA, how many bytes to send after the bundle
     */
    ScriptedHttpServer(String name, long sequence, String sha256, long sizeBytes, byte[] bundle, Mode mode,
            long extraBytes) throws IOException {
        this(name, sequence, sha256, sizeBytes, bundle, mode, extraBytes, null);
    }

    /**
     * As above, announcing {@code location} (verbatim, JSON-escaped) instead of this server's bundle URL when it
     * is not null.
     */
    ScriptedHttpServer(String name, long sequence, String sha256, long sizeBytes, byte[] bundle, Mode mode,
            long extraBytes, String location) throws IOException {
        this.socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.bundle = bundle;
        this.mode = mode;
        this.extraBytes = extraBytes;
        String loc = location != null ? location.replace("\\", "\\\\").replace("\"", "\\\"") : url() + "/bundle";
        this.publication = "{\"channel\":\"stable\",\"location\":\"" + loc + "\",\"name\":\"" + name
                + "\",\"sequence\":" + sequence + ",\"sha256\":\"" + sha256 + "\",\"sizeBytes\":" + sizeBytes + "}";
        this.thread = new Thread(this::serve, "scripted-http");
        thread.setDaemon(true);
        thread.start();
    }

    String url() {
        return "http://127.0.0.1:" + socket.getLocalPort();
    }

    int downloads() {
        return downloads.get();
    }

    private void serve() {
        while (!socket.isClosed()) {
            Socket s;
            try {
                s = socket.accept();
            } catch (IOException e) {
                return; // the server is closing
            }
            Thread t = new Thread(() -> {
                try (s) {
                    handle(s);
                } catch (IOException e) {
                    // the client hung up; nothing to do
                }
            }, "scripted-http-conn");
            t.setDaemon(true);
            t.start();
        }
    }

    private void handle(Socket s) throws IOException {
        BufferedReader r = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1));
        String requestLine = r.readLine();
        if (requestLine == null) {
            return;
        }
        requestLines.add(requestLine);
        long from = 0;
        for (String h = r.readLine(); h != null && !h.isEmpty(); h = r.readLine()) {
            if (h.toLowerCase(java.util.Locale.ROOT).startsWith("range:")) {
                ranges.add(h);
                String v = h.substring(h.indexOf('=') + 1).trim();
                from = Long.parseLong(v.substring(0, v.indexOf('-')));
            }
        }
        OutputStream out = s.getOutputStream();
        if (requestLine.contains("/latest")) {
            byte[] body = publication.getBytes(StandardCharsets.UTF_8);
            out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + body.length
                    + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            if (mode == Mode.STALL_LATEST) {
                out.write(body, 0, body.length / 2);
                out.flush();
                stallUntilClientHangsUp(s);
                return;
            }
            out.write(body);
            out.flush();
            return;
        }
        int n = downloads.incrementAndGet();
        if (mode == Mode.STREAM_EXTRA) {
            out.write("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            out.write(bundle);
            byte[] junk = new byte[64 * 1024];
            for (long sent = 0; sent < extraBytes; sent += junk.length) {
                out.write(junk);
            }
            out.flush();
            return;
        }
        byte[] rest = java.util.Arrays.copyOfRange(bundle, (int) from, bundle.length);
        String status = from > 0 ? "206 Partial Content\r\nContent-Range: bytes " + from + "-" + (bundle.length - 1)
                + "/" + bundle.length : "200 OK";
        out.write(("HTTP/1.1 " + status + "\r\nContent-Length: " + rest.length + "\r\nConnection: close\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1));
        if (n == 1 && mode == Mode.STALL_FIRST_DOWNLOAD) {
            out.write(rest, 0, rest.length / 2);
            out.flush();
            sentBeforeStall = rest.length / 2;
            stallUntilClientHangsUp(s);
            return;
        }
        if (n == 1 && mode == Mode.PAUSE_FIRST_DOWNLOAD) {
            out.write(rest, 0, rest.length / 2);
            out.flush();
            sentBeforeStall = rest.length / 2;
            stalled.countDown();
            try {
                release.await(60, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            out.write(rest, rest.length / 2, rest.length - rest.length / 2);
            out.flush();
            return;
        }
        if (mode == Mode.TRICKLE) {
            for (int off = 0; off < rest.length; off += TRICKLE_BYTES) {
                out.write(rest, off, Math.min(TRICKLE_BYTES, rest.length - off));
                out.flush();
                try {
                    Thread.sleep(TRICKLE_PAUSE_MS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            return;
        }
        if (n == 1 && mode == Mode.DROP_FIRST_DOWNLOAD) {
            out.write(rest, 0, rest.length / 2); // then the connection drops
            out.flush();
            try {
                Thread.sleep(200); // let the client take the first half before the connection closes
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return;
        }
        out.write(rest);
        out.flush();
    }

    /**
     * Sends nothing more and keeps the connection open until the client closes it, the test counts down
     * {@link #release} (then the connection is closed, cutting the body short), or a minute has passed.
     */
    private void stallUntilClientHangsUp(Socket s) throws IOException {
        stalled.countDown();
        s.setSoTimeout(100);
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (release.getCount() > 0 && System.nanoTime() < deadline) {
            try {
                if (s.getInputStream().read() < 0) {
                    clientHungUp.countDown();
                    return;
                }
            } catch (java.net.SocketTimeoutException e) {
                // nothing from the client yet: keep stalling
            } catch (java.net.SocketException e) {
                clientHungUp.countDown(); // reset by the client
                return;
            }
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}

package io.edgeloop.ota.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.edgeloop.api.deploy.Publication;
import io.edgeloop.ota.json.CanonicalJson;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The update server devices poll (JDK {@code HttpServer}), backed by a {@link ChannelStore}:
 * <ul>
 *   <li>{@code PUT /channels/<channel>} with the bundle as body publishes it; the reply is the publication JSON.
 *       Publishing needs a credential: when the server has a publish token, the request must carry
 *       {@code Authorization: Bearer <token>} (else 401, from any address, loopback included); without a token,
 *       only loopback peers may publish (else 403), so a server bound to a public address is read-only to the
 *       network until a token is configured. The {@link ChannelStore} then refuses a body that is not a readable
 *       bundle (400) and a sequence not above the channel's highest for that model name (409);</li>
 *   <li>{@code GET /channels/<channel>/latest} returns the publication JSON, 404 when nothing is published;</li>
 *   <li>{@code GET /bundles/<channel>/<sha256>.bundle} returns the bundle, honouring {@code Range: bytes=N-},
 *       {@code bytes=N-M} and {@code bytes=-N} (206 with {@code Content-Range}) so interrupted downloads resume; a
 *       range that is malformed, reversed or starts at or past the end gets 416 with {@code Content-Range:
 *       bytes *&#47;<size>} (RFC 9110 section 15.5.17).</li>
 * </ul>
 * Uploads larger than {@code maxUploadBytes} are refused with 413. Reads need no credential: bundles are signed
 * and devices verify them.
 *
 * <p>Thread-safe. {@link #close()} is idempotent.
 */
public final class UpdateServer implements AutoCloseable {
    private static final Pattern RANGE = Pattern.compile("bytes=(\\d{0,18})-(\\d{0,18})");
    /** Shortest publish token accepted: shorter ones are guessable. */
    public static final int MIN_TOKEN_LENGTH = 16;
    private final ChannelStore store;
    private final HttpServer server;
    private final ExecutorService pool;
    private final long maxUploadBytes;
    private final AtomicLong rangeRequests = new AtomicLong();
    private final Optional<byte[]> publishToken;
    private volatile boolean closed;

    /**
     * Starts a server without a publish token: only loopback peers may publish.
     *
     * @param store          where bundles live
     * @param address        where to listen (port 0 picks a free port)
     * @param maxUploadBytes largest bundle accepted by PUT
     * @throws IOException when the port cannot be bound
     */
    public UpdateServer(ChannelStore store, InetSocketAddress address, long maxUploadBytes) throws IOException {
        this(store, address, maxUploadBytes, Optional.empty());
    }

    /**
     * Starts a server.
     *
     * @param store          where bundles live
     * @param address        where to listen (port 0 picks a free port)
     * @param maxUploadBytes largest bundle accepted by PUT
     * @param publishToken   the bearer token a PUT must carry (from any address); empty: only loopback peers may
     *                       publish, with no token
     * @throws IOException              when the port cannot be bound
     * @throws IllegalArgumentException when the token is shorter than {@value #MIN_TOKEN_LENGTH} characters or
     *                                  holds whitespace or control characters
     */
    public UpdateServer(ChannelStore store, InetSocketAddress address, long maxUploadBytes,
            Optional<String> publishToken) throws IOException {
        Objects.requireNonNull(publishToken, "publishToken");
        publishToken.ifPresent(t -> {
            if (t.length() < MIN_TOKEN_LENGTH || !t.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
                throw new IllegalArgumentException("publish token must be at least " + MIN_TOKEN_LENGTH
                        + " printable ASCII characters without spaces, got " + t.length() + " characters");
            }
        });
        this.publishToken = publishToken.map(t -> t.getBytes(StandardCharsets.US_ASCII));
        this.store = Objects.requireNonNull(store, "store");
        this.maxUploadBytes = maxUploadBytes;
        this.server = HttpServer.create(address, 64);
        this.pool = Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "edgeloop-update-server");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(pool);
        server.createContext("/", this::handle);
        server.start();
    }

    /** @return the base URL ({@code http://host:port}) */
    public String url() {
        InetSocketAddress a = server.getAddress();
        return "http://" + a.getHostString() + ":" + a.getPort();
    }

    /** @return how many ranged (resumed) downloads were served */
    public long rangeRequests() {
        return rangeRequests.get();
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String[] p = ex.getRequestURI().getPath().split("/");
            String method = ex.getRequestMethod();
            if (p.length == 3 && p[1].equals("channels") && method.equals("PUT")) {
                publish(ex, p[2]);
            } else if (p.length == 4 && p[1].equals("channels") && p[3].equals("latest") && method.equals("GET")) {
                Optional<Publication> pub = store.latest(p[2]);
                if (pub.isEmpty()) {
                    send(ex, 404, "{\"error\":\"nothing published on " + p[2] + "\"}");
                } else {
                    send(ex, 200, new String(CanonicalJson.bytes(withUrl(pub.get())), StandardCharsets.UTF_8));
                }
            } else if (p.length == 4 && p[1].equals("bundles") && p[3].endsWith(".bundle") && method.equals("GET")) {
                download(ex, p[2], p[3].substring(0, p[3].length() - ".bundle".length()));
            } else {
                send(ex, 404, "{\"error\":\"no such resource\"}");
            }
        } catch (IOException | RuntimeException e) {
            try {
                send(ex, 400, "{\"error\":\"" + String.valueOf(e.getMessage()).replace('"', '\'') + "\"}");
            } catch (IOException | RuntimeException ignored) {
                // response already started: the client sees a broken transfer and retries
            }
        }
    }

    private ObjectNode withUrl(Publication p) {
        ObjectNode o = ChannelStore.toJson(p);
        o.put("location", url() + "/bundles/" + p.channel() + "/" + p.sha256() + ".bundle");
        return o;
    }

    /** Sends 401/403 and returns false unless the request may publish. */
    private boolean authorised(HttpExchange ex) throws IOException {
        if (publishToken.isPresent()) {
            String auth = ex.getRequestHeaders().getFirst("Authorization");
            byte[] given = auth != null && auth.startsWith("Bearer ")
                    ? auth.substring("Bearer ".length()).trim().getBytes(StandardCharsets.US_ASCII) : new byte[0];
            if (!MessageDigest.isEqual(given, publishToken.get())) {
                ex.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"edgeloop-publish\"");
                send(ex, 401, "{\"error\":\"publishing needs the server's publish token: "
                        + "send Authorization: Bearer <token>\"}");
                return false;
            }
            return true;
        }
        InetAddress peer = ex.getRemoteAddress().getAddress();
        if (peer == null || !peer.isLoopbackAddress()) {
            send(ex, 403, "{\"error\":\"publishing from " + (peer == null ? "an unknown address" : peer.getHostAddress())
                    + " is refused: without a publish token configured on the server only loopback may publish\"}");
            return false;
        }
        return true;
    }

    private void publish(HttpExchange ex, String channel) throws IOException {
        if (!authorised(ex)) {
            return;
        }
        Path tmp = Files.createTempFile(store.root(), "upload-", ".tmp");
        try {
            long n = 0;
            try (InputStream in = ex.getRequestBody(); OutputStream o = Files.newOutputStream(tmp)) {
                byte[] buf = new byte[64 * 1024];
                int r;
                while ((r = in.read(buf)) > 0) {
                    n += r;
                    if (n > maxUploadBytes) {
                        send(ex, 413, "{\"error\":\"bundle larger than " + maxUploadBytes + " bytes\"}");
                        return;
                    }
                    o.write(buf, 0, r);
                }
            }
            Publication pub;
            try {
                pub = store.publish(tmp, channel);
            } catch (PublicationRefusedException e) {
                String m = e.getMessage().replace(tmp.toString(), "the uploaded body");
                send(ex, e.reason() == PublicationRefusedException.Reason.NOT_NEWER ? 409 : 400,
                        "{\"error\":" + CanonicalJson.mapper().writeValueAsString(m) + "}");
                return;
            }
            send(ex, 200, new String(CanonicalJson.bytes(withUrl(pub)), StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private void download(HttpExchange ex, String channel, String sha) throws IOException {
        Optional<Path> f = store.file(channel, sha);
        if (f.isEmpty()) {
            send(ex, 404, "{\"error\":\"no such bundle\"}");
            return;
        }
        long size = Files.size(f.get());
        long from = 0;
        long to = size - 1;
        String range = ex.getRequestHeaders().getFirst("Range");
        int status = 200;
        if (range != null) {
            Matcher m = RANGE.matcher(range.trim());
            boolean ok = m.matches() && !(m.group(1).isEmpty() && m.group(2).isEmpty());
            if (ok && m.group(1).isEmpty()) {
                long suffix = Long.parseLong(m.group(2)); // bytes=-N: the last N bytes
                ok = suffix > 0 && size > 0;
                from = Math.max(0, size - suffix);
            } else if (ok) {
                from = Long.parseLong(m.group(1));
                if (!m.group(2).isEmpty()) {
                    long last = Long.parseLong(m.group(2));
                    ok = last >= from;
                    to = Math.min(to, last);
                }
                ok = ok && from < size;
            }
            if (!ok) {
                ex.getResponseHeaders().set("Content-Range", "bytes */" + size);
                ex.sendResponseHeaders(416, -1);
                return;
            }
            status = 206;
            rangeRequests.incrementAndGet();
            ex.getResponseHeaders().set("Content-Range", "bytes " + from + "-" + to + "/" + size);
        }
        ex.getResponseHeaders().set("Accept-Ranges", "bytes");
        ex.getResponseHeaders().set("Content-Type", "application/octet-stream");
        long len = to - from + 1;
        ex.sendResponseHeaders(status, len == 0 ? -1 : len);
        try (RandomAccessFile raf = new RandomAccessFile(f.get().toFile(), "r"); OutputStream o = ex.getResponseBody()) {
            raf.seek(from);
            byte[] buf = new byte[64 * 1024];
            long left = len;
            while (left > 0) {
                int r = raf.read(buf, 0, (int) Math.min(buf.length, left));
                if (r < 0) {
                    break;
                }
                o.write(buf, 0, r);
                left -= r;
            }
        }
    }

    private static void send(HttpExchange ex, int status, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, b.length == 0 ? -1 : b.length);
        try (OutputStream o = ex.getResponseBody()) {
            o.write(b);
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            server.stop(0);
            pool.shutdownNow();
        }
    }
}

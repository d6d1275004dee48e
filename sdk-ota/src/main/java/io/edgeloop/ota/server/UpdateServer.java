package io.edgeloop.ota.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.edgeloop.api.deploy.Publication;
import io.edgeloop.ota.file.AtomicFiles;
import io.edgeloop.ota.file.TemporaryFile;
import io.edgeloop.ota.json.CanonicalJson;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The update server devices poll (JDK {@code HttpServer}), backed by a {@link ChannelStore}:
 * <ul>
 *   <li>{@code PUT /channels/<channel>} with the bundle as body publishes it; the reply is the publication JSON.
 *       Publishing needs a credential: when the server has a publish token, the request must carry
 *       {@code Authorization: Bearer <token>} (else 401, from any address, loopback included); without a token,
 *       only loopback peers may publish (else 403), so a server bound to a public address is read-only to the
 *       network until a token is configured. The {@link ChannelStore} then refuses a body that is not a readable
 *       bundle (400), one its trust root does not accept (422, when the store has one: see below) and a sequence
 *       not above the channel's highest for that model name (409); a refusal's JSON carries {@code "check"} naming
 *       the failed verification check when one failed;</li>
 *   <li>{@code GET /channels/<channel>/latest} returns the publication JSON, 404 when nothing is published;</li>
 *   <li>{@code GET /bundles/<channel>/<sha256>.bundle} returns the bundle, honouring {@code Range: bytes=N-},
 *       {@code bytes=N-M} and {@code bytes=-N} (206 with {@code Content-Range}) so interrupted downloads resume; a
 *       range that is malformed, reversed or starts at or past the end gets 416 with {@code Content-Range:
 *       bytes *&#47;<size>} (RFC 9110 section 15.5.17).</li>
 * </ul>
 * Uploads larger than {@code maxUploadBytes} are refused with 413 (by their Content-Length, or, without one, once
 * they pass the limit). Every refusal of a PUT (401, 403, 400, 413) is sent after reading and dropping the rest of
 * its body for up to the request timeout, so a client still sending reads the answer instead of a reset connection.
 * Reads need no credential: bundles are signed and devices verify them. Errors are answered with a JSON body
 * {@code {"error":"<one line>"}}: 400 for an invalid channel name or request, 507 when the server's disk is full,
 * 500 for any other storage failure (a store this process may not write, a read-only mount: the upload is refused
 * before anything is stored, naming the store's root, and a WARN is logged at start; polls and downloads are
 * served), and 500 saying
 * the store is damaged when an entry of the channel is something the store never writes
 * ({@link DamagedStoreException}: a {@code latest.json} or bundle that is a directory, a link or a FIFO, logged at
 * ERROR with its path once per entry, and again when what is there changes; repeats at DEBUG), not a 404 that devices would read as "nothing published".
 *
 * <p>Trust: give the server a store made with the devices' trust root ({@link ChannelStore#ChannelStore(Path,
 * io.edgeloop.ota.bundle.BundleVerifier)}) and every upload is verified as those devices verify it (signatures and
 * threshold, expiry, digests; not any device's own sequence or target) before anything is stored or any sequence
 * recorded, as TUF and Mender repositories verify what they serve. A store without one is made only by the named
 * opt-out {@link ChannelStore#withoutVerification}; a server on such a store still starts, and logs a WARN: its publish credential alone decides what moves a channel, and a bundle signed
 * by a key outside the trust root (a mistake, or a stolen token) can raise a channel's floor to
 * {@link Long#MAX_VALUE}, so that devices never update from it again ({@link ChannelStore#withdraw} undoes that).
 *
 * <p>An upload is streamed to a temporary file in the store's root named by this process's pid
 * ({@code .upload.<pid>.<n>.tmp}) and locked (an OS file lock) from its creation until the publish is over;
 * starting a server deletes those nobody holds locked, and the store's own
 * ({@link ChannelStore#deleteStaleTemporaryFiles}), so a server killed mid-upload does not leave a bundle-sized
 * file behind for good, while a server still streaming an upload into the same root keeps it, whatever PID
 * namespace (container) it runs in. Locks are per kernel: on a root shared between hosts they hold only where the
 * file system carries them (NFS with its lock service).
 *
 * <p>Availability ({@link Limits}): requests are served by a bounded pool of worker threads; a watchdog closes
 * any connection whose request (line, headers and, for a PUT, body) has not arrived within the request deadline,
 * and any transfer (upload or download) that runs past {@code requestTimeout + bytes / minBytesPerSecond}, so
 * clients that send half a request, trickle bytes or never read a download free their worker instead of
 * freezing the server for the whole fleet.
 *
 * <p>Download location: every publication the server answers with (a poll's, a publish's) carries
 * {@code location}, an absolute {@code http(s)} URL of the bundle, {@code <base>/bundles/<channel>/<sha256>.bundle},
 * since devices in the field accept only such a URL. The base is the {@linkplain Builder#publicUrl public URL}
 * when one is set (a server behind a reverse proxy that rewrites the {@code Host} header or terminates TLS);
 * else {@code http://} and the request's {@code Host} header, so a device downloads from the address it polled
 * (a wildcard bind, a forwarding proxy); else, for a request without a valid {@code Host}, {@link #url()}.
 * {@code X-Forwarded-Host} and {@code X-Forwarded-Proto} are ignored: any client can send them, and the public
 * URL says the same explicitly. Since any client also chooses its {@code Host}, every JSON answer (a poll's, a
 * publish's, an error) carries {@code Cache-Control: no-store} and {@code Vary: Host}, so a caching proxy in front
 * neither stores one client's answer nor serves it to another (one request with {@code Host: attacker.example}
 * would otherwise send every device polling through the cache to that host: the bundle's digest and signatures
 * still hold, its availability and the devices' addresses do not). Bundles stay cacheable: their path names their
 * SHA-256. A server behind a proxy should still set the public URL, which makes the location independent of
 * {@code Host}; there is no allowed-hosts list, as the public URL already pins the one host devices are sent to. Before 2026-12-03 the base was always the bound address, so a server bound to
 * {@code 0.0.0.0} or {@code ::} sent {@code http://0:0:0:0:0:0:0:0:<port>/...}, which no device can fetch, and one
 * behind a proxy sent its backend's loopback address.
 *
 * <p>Latency: a program that runs it should start the JVM with {@code -Dsun.net.httpserver.nodelay=true} (or set
 * that property before the JVM's first JDK {@code HttpServer} starts; {@code edgeloop bundle serve} and the example
 * apps do). Without it the JDK server leaves Nagle's algorithm on and writes a body after the headers, so every
 * answer with a body (a poll's publication JSON, a refusal) waits about 40 ms for the client's delayed ACK when the
 * client sends its next request on a kept connection soon after ({@code edgeloop bench serve} measures it). The
 * library does not set it: it changes every JDK server in the JVM.
 *
 * <p>Thread-safe. {@link #close()} is idempotent.
 */
public final class UpdateServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(UpdateServer.class);
    private static final Pattern RANGE = Pattern.compile("bytes=(\\d{0,18})-(\\d{0,18})");
    /** Shortest publish token accepted: shorter ones are guessable. */
    public static final int MIN_TOKEN_LENGTH = 16;
    private final ChannelStore store;
    private final HttpServer server;
    private final ThreadPoolExecutor pool;
    private final ScheduledExecutorService watchdog;
    private final Limits limits;
    /** What each worker thread is doing now, for the watchdog. */
    private final ConcurrentHashMap<Thread, Activity> active = new ConcurrentHashMap<>();
    private final AtomicLong abandoned = new AtomicLong();
    private final long maxUploadBytes;
    private final AtomicLong rangeRequests = new AtomicLong();
    /** Per damaged entry logged at ERROR, what was there then ({@link #logDamage}). */
    private final ConcurrentHashMap<String, String> damageLogged = new ConcurrentHashMap<>();
    private final Optional<byte[]> publishToken;
    /** The public base URL, without a trailing slash; empty: from each request's Host header. */
    private final Optional<String> publicUrl;
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
        this(store, address, maxUploadBytes, publishToken, Limits.DEFAULT);
    }

    /**
     * Starts a server with explicit availability limits.
     *
     * @param store          where bundles live
     * @param address        where to listen (port 0 picks a free port)
     * @param maxUploadBytes largest bundle accepted by PUT
     * @param publishToken   the bearer token a PUT must carry (from any address); empty: only loopback peers may
     *                       publish, with no token
     * @param limits         worker threads and deadlines
     * @throws IOException              when the port cannot be bound
     * @throws IllegalArgumentException when the token is shorter than {@value #MIN_TOKEN_LENGTH} characters or
     *                                  holds whitespace or control characters
     */
    public UpdateServer(ChannelStore store, InetSocketAddress address, long maxUploadBytes,
            Optional<String> publishToken, Limits limits) throws IOException {
        this(store, address, maxUploadBytes, publishToken, limits, Optional.empty());
    }

    private UpdateServer(ChannelStore store, InetSocketAddress address, long maxUploadBytes,
            Optional<String> publishToken, Limits limits, Optional<String> publicUrl) throws IOException {
        Objects.requireNonNull(publishToken, "publishToken");
        this.publicUrl = Objects.requireNonNull(publicUrl, "publicUrl");
        this.limits = Objects.requireNonNull(limits, "limits");
        publishToken.ifPresent(t -> {
            if (t.length() < MIN_TOKEN_LENGTH || !t.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
                throw new IllegalArgumentException("publish token must be at least " + MIN_TOKEN_LENGTH
                        + " printable ASCII characters without spaces, got " + t.length() + " characters");
            }
        });
        this.publishToken = publishToken.map(t -> t.getBytes(StandardCharsets.US_ASCII));
        this.store = Objects.requireNonNull(store, "store");
        this.maxUploadBytes = maxUploadBytes;
        if (store.verifier().isEmpty()) {
            LOG.warn("The update server's channel store {} has no trust root: uploads are checked for readability only,"
                    + " so a bundle signed with a key outside the devices' trust root can raise a channel's sequence "
                    + "floor and freeze it; {}", store.root(), store.unverifiedRemedy());
        }
        for (String refused : store.latestRefusedByTrustRoot()) {
            LOG.warn("The update server's channel store {}: {}", store.root(), refused);
        }
        if (!Files.isWritable(store.root())) {
            LOG.warn("The update server's channel store {} is not writable here (a read-only mount, an immutable "
                    + "directory or no write permission): devices can poll and download, and every publish is "
                    + "answered 500", store.root());
        }
        int stale = store.deleteStaleTemporaryFiles();
        if (stale > 0) {
            LOG.info("Deleted {} temporary file(s) left in {} by a server or publisher killed mid-upload or "
                    + "mid-publish", stale, store.root());
        }
        this.server = HttpServer.create(address, 64);
        AtomicInteger n = new AtomicInteger();
        this.pool = new ThreadPoolExecutor(limits.maxThreads(), limits.maxThreads(), 30, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, "edgeloop-update-server-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        pool.allowCoreThreadTimeOut(true);
        this.watchdog = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "edgeloop-update-server-watchdog");
            t.setDaemon(true);
            return t;
        });
        long tick = Math.max(50, Math.min(1000, limits.requestTimeout().toMillis() / 4));
        watchdog.scheduleWithFixedDelay(this::closeOverdue, tick, tick, TimeUnit.MILLISECONDS);
        // The JDK server reads the request line and headers on the executor's thread, before any handler runs:
        // tracking each task from its start lets the watchdog bound that phase too.
        // The request deadline runs from the hand-over, so requests queued behind stalled ones do not get a fresh one.
        server.setExecutor(task -> {
            long handedOver = System.nanoTime();
            pool.execute(() -> track(task, handedOver));
        });
        server.createContext("/", this::handle);
        server.start();
    }

    /**
     * Worker threads and deadlines of an {@link UpdateServer}.
     *
     * <p>Immutable and thread-safe.
     *
     * @param maxThreads        worker threads (each serves one request at a time; more requests queue)
     * @param requestTimeout    how long a request (line, headers) may take to arrive, and the slack added to every
     *                          transfer's deadline
     * @param minBytesPerSecond the slowest average rate an upload or download may run at: a transfer of {@code n}
     *                          bytes is cut off after {@code requestTimeout + n / minBytesPerSecond} (a device
     *                          resumes a cut download with a byte range)
     */
    public record Limits(int maxThreads, Duration requestTimeout, long minBytesPerSecond) {
        /**
         * 32 threads, a 10 s request deadline, at least 1 KiB/s per transfer: the http deployer's own default
         * floor, so a device the deployer would keep downloading is not cut by the server (a cut download resumes
         * on the next poll).
         */
        public static final Limits DEFAULT = new Limits(32, Duration.ofSeconds(10), 1024);

        /**
         * @throws IllegalArgumentException when a value is not positive (threads at most 1024)
         */
        public Limits {
            Objects.requireNonNull(requestTimeout, "requestTimeout");
            if (maxThreads < 1 || maxThreads > 1024) {
                throw new IllegalArgumentException("maxThreads must be 1-1024, got " + maxThreads);
            }
            if (requestTimeout.isNegative() || requestTimeout.isZero()) {
                throw new IllegalArgumentException("requestTimeout must be positive, got " + requestTimeout);
            }
            if (minBytesPerSecond < 1) {
                throw new IllegalArgumentException("minBytesPerSecond must be positive, got " + minBytesPerSecond);
            }
        }
    }

    /**
     * @return a builder for a server; {@link Builder#store} and {@link Builder#address} are required
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Builds and starts an {@link UpdateServer}: the constructors' settings, and the {@linkplain #publicUrl public
     * URL} downloads are announced at.
     *
     * <p>Not thread-safe: one builder per thread; the server it starts is thread-safe.
     */
    public static final class Builder {
        /** Default {@link #maxUploadBytes}: 64 MiB. */
        public static final long DEFAULT_MAX_UPLOAD_BYTES = 64L << 20;
        private ChannelStore store;
        private InetSocketAddress address;
        private long maxUploadBytes = DEFAULT_MAX_UPLOAD_BYTES;
        private Optional<String> publishToken = Optional.empty();
        private Limits limits = Limits.DEFAULT;
        private Optional<String> publicUrl = Optional.empty();

        private Builder() {
        }

        /**
         * @param store where bundles live
         * @return this builder
         */
        public Builder store(ChannelStore store) {
            this.store = Objects.requireNonNull(store, "store");
            return this;
        }

        /**
         * @param address where to listen (port 0 picks a free port; a wildcard address listens on every interface)
         * @return this builder
         */
        public Builder address(InetSocketAddress address) {
            this.address = Objects.requireNonNull(address, "address");
            return this;
        }

        /**
         * @param maxUploadBytes largest bundle accepted by PUT (default {@value #DEFAULT_MAX_UPLOAD_BYTES}), at least 1
         * @return this builder
         */
        public Builder maxUploadBytes(long maxUploadBytes) {
            this.maxUploadBytes = maxUploadBytes;
            return this;
        }

        /**
         * @param publishToken the bearer token a PUT must carry (from any address); without one, only loopback peers
         *                     may publish, with no token
         * @return this builder
         */
        public Builder publishToken(String publishToken) {
            this.publishToken = Optional.of(Objects.requireNonNull(publishToken, "publishToken"));
            return this;
        }

        /**
         * @param limits worker threads and deadlines (default {@link Limits#DEFAULT})
         * @return this builder
         */
        public Builder limits(Limits limits) {
            this.limits = Objects.requireNonNull(limits, "limits");
            return this;
        }

        /**
         * The URL devices reach the server at, when it is not the address they send in {@code Host}: behind a
         * reverse proxy that sets its own {@code Host} or terminates TLS, the proxy's public URL, e.g.
         * {@code https://ota.example.com} or {@code https://example.com/ota} (the proxy maps that path to this
         * server's root). Every announced location is then {@code <publicUrl>/bundles/<channel>/<sha256>.bundle}.
         * Without one, it is built from each request's {@code Host} header (see the class javadoc).
         *
         * @param publicUrl an absolute http(s) URL with a host and no user info, query or fragment; a trailing slash
         *                  is dropped
         * @return this builder
         * @throws IllegalArgumentException when it is not such a URL (checked here, so the message belongs to this
         *                                  setting alone)
         */
        public Builder publicUrl(String publicUrl) {
            this.publicUrl = Optional.of(checkPublicUrl(Objects.requireNonNull(publicUrl, "publicUrl")));
            return this;
        }

        /**
         * Starts the server.
         *
         * @return the running server
         * @throws IOException              when the port cannot be bound
         * @throws IllegalArgumentException when the store or address is missing, the upload limit is below 1, or
         *                                  the token is too short or not printable ASCII
         */
        public UpdateServer start() throws IOException {
            if (store == null || address == null) {
                throw new IllegalArgumentException("an update server needs a store and an address, got store "
                        + store + " and address " + address);
            }
            if (maxUploadBytes < 1) {
                throw new IllegalArgumentException("maxUploadBytes must be at least 1, got " + maxUploadBytes);
            }
            return new UpdateServer(store, address, maxUploadBytes, publishToken, limits, publicUrl);
        }
    }

    /** The public URL without its trailing slash, or an IllegalArgumentException saying what is allowed. */
    private static String checkPublicUrl(String publicUrl) {
        URI u;
        try {
            u = new URI(publicUrl);
        } catch (URISyntaxException e) {
            u = null;
        }
        boolean ok = u != null && u.getHost() != null && u.getRawUserInfo() == null && u.getRawQuery() == null
                && u.getRawFragment() == null
                && ("http".equalsIgnoreCase(u.getScheme()) || "https".equalsIgnoreCase(u.getScheme()));
        if (!ok) {
            throw new IllegalArgumentException("public URL must be an absolute http(s) URL with a host and no user "
                    + "info, query or fragment, such as https://ota.example.com or https://example.com/ota, got '"
                    + publicUrl + "'");
        }
        String s = u.toString();
        while (s.endsWith("/")) {
            s = s.substring(0, s.length() - 1);
        }
        return s;
    }

    /** One task on a worker thread: the deadline it must finish its current phase by. */
    private static final class Activity {
        final Thread thread;
        volatile long deadlineNanos;
        volatile String phase = "request";
        boolean done;

        Activity(Thread thread, long deadlineNanos) {
            this.thread = thread;
            this.deadlineNanos = deadlineNanos;
        }
    }

    private void track(Runnable task, long handedOver) {
        Thread me = Thread.currentThread();
        Activity a = new Activity(me, handedOver + limits.requestTimeout().toNanos());
        active.put(me, a);
        try {
            task.run();
        } finally {
            active.remove(me);
            synchronized (a) {
                a.done = true;
            }
            Thread.interrupted(); // an interrupt aimed at this task must not reach the next one
        }
    }

    /** Sets the current worker's deadline for a transfer of {@code bytes} bytes (or the request deadline). */
    private void deadline(String phase, long bytes) {
        Activity a = active.get(Thread.currentThread());
        if (a != null) {
            long slack = limits.requestTimeout().toNanos();
            long transfer = bytes <= 0 ? 0 : TimeUnit.SECONDS.toNanos(bytes) / limits.minBytesPerSecond();
            a.phase = phase;
            a.deadlineNanos = System.nanoTime() + slack + transfer;
        }
    }

    /**
     * Interrupts workers past their deadline: the exchange's socket channel is interruptible, so the blocked read
     * or write fails, the JDK server closes the connection and the worker is free again.
     */
    private void closeOverdue() {
        long now = System.nanoTime();
        for (Activity a : active.values()) {
            if (now - a.deadlineNanos > 0) {
                synchronized (a) {
                    if (!a.done) {
                        abandoned.incrementAndGet();
                        LOG.debug("closing a connection stalled in its {} phase", a.phase);
                        a.thread.interrupt();
                        a.deadlineNanos = Long.MAX_VALUE / 2 + now; // once per task
                    }
                }
            }
        }
    }

    /** @return how many stalled requests or transfers the watchdog has closed */
    public long abandonedExchanges() {
        return abandoned.get();
    }

    /**
     * The base URL a client on this host reaches the server at, {@code http://<address>:<port>} without a trailing
     * slash: the address the server is bound to (an IPv6 address in brackets), or {@code 127.0.0.1} when it is bound
     * to a wildcard address ({@code 0.0.0.0}, or {@code ::}, which {@code new InetSocketAddress(port)} binds; the
     * JDK's IPv6 wildcard socket accepts IPv4 too). It is what {@code edgeloop bundle serve} prints first, and a
     * publisher on this host can pass it to the {@code http} deployer. It is not what other hosts use, nor what
     * devices download from: see the class javadoc and {@link Builder#publicUrl}.
     *
     * @return the local base URL, e.g. {@code http://127.0.0.1:8080}
     */
    public String url() {
        InetSocketAddress a = server.getAddress();
        String host;
        if (a.getAddress() != null && a.getAddress().isAnyLocalAddress()) {
            host = "127.0.0.1";
        } else {
            host = a.getHostString();
            if (host.indexOf(':') >= 0) { // an IPv6 literal; a zone (%eth0) has no place in a URL's host
                host = "[" + (host.indexOf('%') >= 0 ? host.substring(0, host.indexOf('%')) : host) + "]";
            }
        }
        return "http://" + host + ":" + a.getPort();
    }

    /** @return the public base URL the server announces downloads at, when one was set ({@link Builder#publicUrl}) */
    public Optional<String> publicUrl() {
        return publicUrl;
    }

    /** @return how many ranged (resumed) downloads were served */
    public long rangeRequests() {
        return rangeRequests.get();
    }

    private void handle(HttpExchange ex) {
        deadline("response", 0); // the request has arrived: from now on the phase's own deadline applies
        try {
            String[] p = ex.getRequestURI().getPath().split("/");
            String method = ex.getRequestMethod();
            if (p.length == 3 && p[1].equals("channels") && method.equals("PUT")) {
                publish(ex, p[2]);
            } else if (p.length == 4 && p[1].equals("channels") && p[3].equals("latest") && method.equals("GET")) {
                Optional<Publication> pub;
                try {
                    pub = store.latest(p[2]);
                } catch (InvalidChannelNameException | DamagedStoreException e) {
                    throw e;
                } catch (IOException e) {
                    throw new StorageException("cannot read the latest publication of " + p[2], e);
                }
                if (pub.isEmpty()) {
                    send(ex, 404, error("nothing published on " + p[2]));
                } else {
                    send(ex, 200, new String(CanonicalJson.bytes(withUrl(pub.get(), ex)), StandardCharsets.UTF_8));
                }
            } else if (p.length == 4 && p[1].equals("bundles") && p[3].endsWith(".bundle") && method.equals("GET")) {
                download(ex, p[2], p[3].substring(0, p[3].length() - ".bundle".length()));
            } else {
                send(ex, 404, error("no such resource"));
            }
        } catch (InvalidChannelNameException e) {
            trySend(ex, 400, e.getMessage());
        } catch (DamagedStoreException e) {
            // the operator's to repair: every device polling the channel gets this answer until then
            logDamage(e, ex);
            trySend(ex, 500, "the update server's channel store is damaged: " + e.entry() + " is " + e.found()
                    + " (the server's log names it; its operator must repair the store)");
        } catch (StorageException e) {
            LOG.warn("update server storage failure: {}", e.getMessage());
            trySend(ex, e.onFullDisk() ? 507 : 500, e.getMessage());
        } catch (IOException | RuntimeException e) {
            // the connection itself failed (client gone, watchdog) or a bug: answer if nothing was sent yet
            trySend(ex, 500, "server error: " + e);
        } finally {
            ex.close();
        }
    }

    /** The most damaged entries remembered as logged; past it, the memory starts again (each logged once more). */
    private static final int MAX_DAMAGE_REMEMBERED = 4096;

    /**
     * Logs a damaged entry at ERROR once, and again only when what is there changes (another kind of file, or the
     * entry replaced since: its file key or modification time differ); repeats go to DEBUG. Every device polling a
     * damaged channel hits it, so one damaged entry logged an ERROR per request: with 10,000 devices polling each
     * minute, 10,000 identical lines a minute, burying everything else in the log.
     */
    private void logDamage(DamagedStoreException e, HttpExchange ex) {
        String now = e.found();
        try {
            BasicFileAttributes a = Files.readAttributes(e.path(), BasicFileAttributes.class,
                    LinkOption.NOFOLLOW_LINKS);
            now += " " + a.fileKey() + " " + a.lastModifiedTime();
        } catch (IOException | RuntimeException gone) {
            // no longer there, or not readable: judged by what was found
        }
        if (damageLogged.size() >= MAX_DAMAGE_REMEMBERED) {
            damageLogged.clear();
        }
        if (now.equals(damageLogged.put(e.entry(), now))) {
            LOG.debug("The channel store is still damaged: {} is {}; answered 500 to {} {}", e.path(), e.found(),
                    ex.getRequestMethod(), ex.getRequestURI().getPath());
            return;
        }
        LOG.error("The channel store is damaged: {} is {}; answering 500 to {} {} and to every request for it until "
                + "it is moved out of the store (logged once, and again when it changes)", e.path(), e.found(),
                ex.getRequestMethod(), ex.getRequestURI().getPath());
    }

    /** Answers with a JSON error unless the response has started (then the client sees a broken transfer). */
    private static void trySend(HttpExchange ex, int status, String message) {
        if (ex.getResponseCode() != -1) {
            return;
        }
        try {
            send(ex, status, error(message));
        } catch (IOException | RuntimeException ignored) {
            // the client is gone: nothing to answer
        }
    }

    private static String error(String message) {
        return error(message, Optional.empty());
    }

    /** {@code {"error":"<one line>"}}, with {@code "check":"<id>"} naming the failed verification check if any. */
    private static String error(String message, Optional<String> check) {
        ObjectNode o = CanonicalJson.object();
        o.put("error", String.valueOf(message));
        check.ifPresent(c -> o.put("check", c));
        return new String(CanonicalJson.bytes(o), StandardCharsets.UTF_8);
    }

    private ObjectNode withUrl(Publication p, HttpExchange ex) {
        ObjectNode o = ChannelStore.toJson(p);
        o.put("location", base(ex) + "/bundles/" + p.channel() + "/" + p.sha256() + ".bundle");
        return o;
    }

    /**
     * A request's {@code Host} header as it may stand in a URL: a host name or IPv4 address, or an IPv6 address in
     * brackets, and an optional port (RFC 9110 section 7.2), nothing else (no user info, path or spaces).
     */
    private static final Pattern HOST = Pattern.compile(
            "(?:[A-Za-z0-9](?:[A-Za-z0-9._-]{0,252})|\\[[0-9A-Fa-f:.]{2,45}\\])(?::([0-9]{1,5}))?");

    /**
     * The base of the download location announced to this request: the public URL, else {@code http://} and the
     * request's {@code Host} (the address the client reached this server at), else {@link #url()}.
     */
    private String base(HttpExchange ex) {
        if (publicUrl.isPresent()) {
            return publicUrl.get();
        }
        String host = ex.getRequestHeaders().getFirst("Host");
        if (host != null) {
            host = host.strip();
            Matcher m = HOST.matcher(host);
            if (m.matches() && (m.group(1) == null || Integer.parseInt(m.group(1)) <= 65535)) {
                return "http://" + host;
            }
        }
        return url();
    }

    /** Sends 401/403 and returns false unless the request may publish. */
    private boolean authorised(HttpExchange ex) throws IOException {
        if (publishToken.isPresent()) {
            String auth = ex.getRequestHeaders().getFirst("Authorization");
            byte[] given = auth != null && auth.startsWith("Bearer ")
                    ? auth.substring("Bearer ".length()).trim().getBytes(StandardCharsets.US_ASCII) : new byte[0];
            if (!MessageDigest.isEqual(given, publishToken.get())) {
                ex.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"edgeloop-publish\"");
                refuseUnread(ex, 401, error("publishing needs the server's publish token: send Authorization: Bearer "
                        + "<token>"));
                return false;
            }
            return true;
        }
        InetAddress peer = ex.getRemoteAddress().getAddress();
        if (peer == null || !peer.isLoopbackAddress()) {
            refuseUnread(ex, 403, error("publishing from "
                    + (peer == null ? "an unknown address" : peer.getHostAddress())
                    + " is refused: without a publish token configured on the server only loopback may publish"));
            return false;
        }
        return true;
    }

    private void publish(HttpExchange ex, String channel) throws IOException {
        if (!authorised(ex)) {
            return;
        }
        try {
            ChannelStore.checkChannel(channel);
        } catch (InvalidChannelNameException e) {
            refuseUnread(ex, 400, error(e.getMessage()));
            return;
        }
        long declared = contentLength(ex);
        if (declared > maxUploadBytes) {
            refuseUnread(ex, 413, error("bundle larger than " + maxUploadBytes + " bytes"));
            return;
        }
        deadline("upload", declared > 0 ? declared : maxUploadBytes);
        TemporaryFile upload;
        try {
            store.requireWritable(store.root(), "nothing was published");
            // named by this process's pid and locked while in use, so the next server on this root deletes it if a
            // kill leaves it (a createTempFile name stayed for good: up to maxUploadBytes per kill mid-upload), and
            // no server's cleaning deletes it while it streams, whatever PID namespace that server runs in
            upload = AtomicFiles.createTemporary(store.root().resolve("upload"));
        } catch (IOException e) {
            drain(ex);
            throw new StorageException("cannot store the upload", e);
        }
        Answer answer;
        try {
            answer = storeUpload(ex, channel, upload);
        } finally {
            // deleted (and unlocked) before the answer is sent: a client that has its answer finds no upload left
            try {
                upload.close();
            } catch (IOException e) {
                LOG.warn("cannot delete the upload {}: {}", upload, e.getMessage());
            }
        }
        send(ex, answer.status(), answer.body());
    }

    /**
     * Answers a PUT refused before its body was read (401, 403, 400 for the channel name, 413 by its Content-Length)
     * once that body is read and dropped, bounded by the request timeout as for an upload found too large while
     * streaming ({@link #storeUpload}). The JDK server drains only 64 KiB of a body a handler left unread and then
     * closes the connection with the rest unread, which resets it: the client, still sending, lost the answer's
     * body (in 10 publishes each, 5 of 16 MiB with a wrong token read "HTTP 401" without the reason, 5 of 4 MiB
     * over the limit "HTTP 413" without it; the status alone came through).
     */
    private void refuseUnread(HttpExchange ex, int status, String body) throws IOException {
        deadline("refuse", 0);
        try (InputStream in = ex.getRequestBody()) {
            in.transferTo(OutputStream.nullOutputStream());
        }
        send(ex, status, body);
    }

    /** An HTTP answer: status and body. */
    private record Answer(int status, String body) {
    }

    /** Streams the upload's body to {@code upload} and publishes it; returns the answer to send. */
    private Answer storeUpload(HttpExchange ex, String channel, TemporaryFile upload) throws IOException {
        long n = 0;
        IOException storageFailure = null;
        try (InputStream in = ex.getRequestBody(); OutputStream o = upload.output()) {
            byte[] buf = new byte[64 * 1024];
            int r;
            while ((r = in.read(buf)) > 0) {
                n += r;
                if (n > maxUploadBytes) {
                    // Read and drop the rest before answering, bounded by time (the request timeout), not bytes,
                    // as nginx's lingering close is: closing with unread data resets the connection, and a client
                    // still sending saw an I/O error instead of the 413 (about 1 in 3 chunked uploads over the
                    // limit on loopback). Nothing is stored; past the deadline the watchdog ends the read.
                    deadline("refuse", 0);
                    while (in.read(buf) > 0) {
                        // dropped
                    }
                    return new Answer(413, error("bundle larger than " + maxUploadBytes + " bytes"));
                }
                if (storageFailure == null) {
                    try {
                        o.write(buf, 0, r);
                    } catch (IOException e) {
                        storageFailure = e; // read the rest of the body so the client can read the answer
                    }
                }
            }
        } catch (IOException e) {
            if (storageFailure == null && !(e instanceof FileSystemException) && !diskFull(e)) {
                throw e; // the client's connection failed
            }
            storageFailure = storageFailure == null ? e : storageFailure;
        }
        if (storageFailure != null) {
            throw new StorageException("cannot store the upload", storageFailure);
        }
        deadline("store", n);
        Publication pub;
        try (InputStream body = upload.input()) {
            // read through the upload's own descriptor: closing a second one would drop its lock
            pub = store.publish(body, "the uploaded body", channel);
        } catch (PublicationRefusedException e) {
            int status = switch (e.reason()) {
                case UNREADABLE -> 400;
                case UNVERIFIED -> 422;
                case NOT_NEWER, OTHER_MODEL -> 409;
            };
            return new Answer(status, error(e.getMessage(), e.check().map(c -> c.id())));
        } catch (InvalidChannelNameException | DamagedStoreException e) {
            throw e;
        } catch (IOException e) {
            throw new StorageException("cannot store the bundle", e);
        }
        return new Answer(200, new String(CanonicalJson.bytes(withUrl(pub, ex)), StandardCharsets.UTF_8));
    }

    private static long contentLength(HttpExchange ex) {
        String v = ex.getRequestHeaders().getFirst("Content-Length");
        try {
            return v == null ? -1 : Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private void drain(HttpExchange ex) {
        try (InputStream in = ex.getRequestBody()) {
            byte[] buf = new byte[64 * 1024];
            long n = 0;
            for (int r = in.read(buf); r > 0 && n <= maxUploadBytes; r = in.read(buf)) {
                n += r;
            }
        } catch (IOException e) {
            // the client is gone
        }
    }

    static boolean diskFull(IOException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String m = String.valueOf(t.getMessage());
            if (m.contains("No space left on device") || m.contains("Disk quota exceeded")) {
                return true;
            }
        }
        return false;
    }

    /** The server's own storage failed (not the client): answered with 507 when the disk is full, else 500. */
    private static final class StorageException extends IOException {
        private static final long serialVersionUID = 1L;

        StorageException(String what, IOException cause) {
            super(what + " on the server: " + cause.getMessage()
                    + (diskFull(cause) ? " (the server's disk is full)" : ""), cause);
        }

        boolean onFullDisk() {
            return diskFull((IOException) getCause());
        }
    }

    private void download(HttpExchange ex, String channel, String sha) throws IOException {
        ChannelStore.checkChannel(channel);
        // through RegularFileChannel: a FIFO at the name, or swapped in after a check, held this worker for good
        try (FileChannel file = store.openBundle(channel, sha).orElse(null)) {
            if (file == null) {
                send(ex, 404, error("no such bundle"));
                return;
            }
            download(ex, file);
        }
    }

    private void download(HttpExchange ex, FileChannel file) throws IOException {
        long size = file.size();
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
        deadline("download", len);
        ex.sendResponseHeaders(status, len == 0 ? -1 : len);
        try (OutputStream o = ex.getResponseBody()) {
            file.position(from);
            byte[] buf = new byte[64 * 1024];
            java.nio.ByteBuffer bb = java.nio.ByteBuffer.wrap(buf);
            long left = len;
            while (left > 0) {
                bb.clear().limit((int) Math.min(buf.length, left));
                int r = file.read(bb);
                if (r < 0) {
                    break;
                }
                o.write(buf, 0, r);
                left -= r;
            }
        }
    }

    /**
     * Sends a JSON answer, marked {@code Cache-Control: no-store} and {@code Vary: Host}: a poll's or publish's
     * location is built from the request's {@code Host} (without a public URL), and a caching proxy in front whose
     * cache key leaves {@code Host} out (nginx's default {@code proxy_cache_key} holds {@code $proxy_host}, not the
     * client's {@code Host}) stored one request's {@code Host: attacker.example} answer and sent every device there.
     * Nothing JSON is worth caching anyway: a poll must see the channel as it is now.
     */
    private static void send(HttpExchange ex, int status, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.getResponseHeaders().set("Cache-Control", "no-store");
        ex.getResponseHeaders().set("Vary", "Host");
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
            watchdog.shutdownNow();
            pool.shutdownNow();
        }
    }
}

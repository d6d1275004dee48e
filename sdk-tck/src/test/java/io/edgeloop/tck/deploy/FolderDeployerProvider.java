package io.edgeloop.tck.deploy;

import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.api.deploy.Deployer;
import io.edgeloop.api.deploy.DeployerProvider;
import io.edgeloop.api.deploy.DeploymentException;
import io.edgeloop.api.deploy.Publication;
import io.edgeloop.api.provenance.Sha256;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A small directory deployer for the kit's own tests ({@code tck-folder}): bundles are stored by digest under
 * {@code root/blobs}, a channel's publication is one line in {@code root/channels/<channel>}. Correct by default;
 * the {@code fault} setting turns on one defect: {@code torn-latest} (the channel line is rewritten in place, so a
 * poll can read half of it), {@code shared-buffer} (every fetch copies through one buffer of the deployer's),
 * {@code unlocked} (fetches into one destination are not serialised: each appends to what it found there) and
 * {@code trusting-resume} (a resumed download is not checked against the digest) and {@code leaky} (every deployer
 * opens a descriptor that its {@code close()} never closes, as one JDK HTTP client per deployer did),
 * {@code daemon-leak} (a daemon thread per deployer, never stopped) and {@code missing-ok} (a missing bundle file is
 * published as an empty bundle), the last two from the reviewer's Deployers of review rev-s8-tck, and {@code lazy}
 * (publish copies nothing: the publication points at the caller's file, as a newcomer's deployer did).
 *
 * <p>Thread-safe when {@code fault} is {@code none}.
 */
public final class FolderDeployerProvider implements DeployerProvider {
    /** Creates the provider. */
    public FolderDeployerProvider() {
    }

    @Override
    public String name() {
        return "tck-folder";
    }

    /** What {@code leaky} deployers opened; kept reachable so no GC closes them. */
    private static final List<java.nio.channels.FileChannel> LEAKED = new CopyOnWriteArrayList<>();

    /** What {@code daemon-leak} deployers started. */
    private static final List<Thread> LEAKED_THREADS = new CopyOnWriteArrayList<>();

    /** Stops the threads {@code daemon-leak} deployers left running. */
    public static void stopLeakedThreads() {
        for (Thread t : LEAKED_THREADS) {
            t.interrupt();
        }
    }

    @Override
    public Deployer create(ComponentConfig config) {
        config.requireKnownKeys(name() + " deployer", java.util.Set.of("root", "fault"));
        String fault = config.getString("fault", "none");
        if (fault.equals("leaky")) {
            try {
                Path f = Files.createTempFile("tck-leaky", ".bin");
                LEAKED.add(java.nio.channels.FileChannel.open(f, StandardOpenOption.READ));
                Files.delete(f);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        if (fault.equals("daemon-leak")) {
            // BUG (the reviewer's Deployers.DaemonLeak): a daemon watcher thread per deployer, never stopped
            Thread t = new Thread(() -> {
                try {
                    Thread.sleep(Long.MAX_VALUE);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "dep-watch");
            t.setDaemon(true);
            t.start();
            LEAKED_THREADS.add(t);
        }
        return new Folder(Path.of(config.requireString("root")), fault);
    }

    /** The deployer. */
    private static final class Folder implements Deployer {
        private static final ConcurrentHashMap<Path, Object> DESTINATIONS = new ConcurrentHashMap<>();
        private static final AtomicLong NEXT = new AtomicLong();
        private final Path root;
        private final String fault;
        private final byte[] sharedBuffer = new byte[8192];
        private volatile boolean closed;

        Folder(Path root, String fault) {
            this.root = root;
            this.fault = fault;
        }

        private void open() {
            if (closed) {
                throw new IllegalStateException("deployer is closed");
            }
        }

        private Path unique(Path dir) {
            return dir.resolve(".tmp-" + NEXT.incrementAndGet());
        }

        @Override
        public Publication publish(Path bundle, String channel) throws DeploymentException {
            open();
            try {
                Path blobs = Files.createDirectories(root.resolve("blobs"));
                Path channels = Files.createDirectories(root.resolve("channels"));
                if (fault.equals("missing-ok") && !Files.exists(bundle)) {
                    bundle = Files.write(unique(blobs), new byte[0]); // BUG (missing-ok): publishes an empty bundle
                }
                String sha = Sha256.hex(bundle);
                if (fault.equals("lazy")) {
                    // BUG (lazy, the newcomer's LazyDeployerProvider): the publication points at the caller's file
                    Publication p = new Publication(channel, "tck", 1, sha, Files.size(bundle),
                            bundle.toAbsolutePath().toString());
                    writeChannel(channels, channel, p);
                    return p;
                }
                Path tmp = unique(blobs);
                Files.copy(bundle, tmp);
                Path blob = blobs.resolve(sha);
                Files.move(tmp, blob, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                Publication p = new Publication(channel, "tck", 1, sha, Files.size(blob), blob.toString());
                writeChannel(channels, channel, p);
                return p;
            } catch (IOException e) {
                throw new DeploymentException("cannot publish " + bundle + ": " + e.getMessage(), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new DeploymentException("interrupted", e);
            }
        }

        private void writeChannel(Path channels, String channel, Publication p)
                throws IOException, InterruptedException {
            byte[] line = (p.sha256() + " " + p.sizeBytes() + " " + p.location() + "\n")
                    .getBytes(StandardCharsets.UTF_8);
            Path file = channels.resolve(channel);
            if (fault.equals("torn-latest")) {
                try (OutputStream o = Files.newOutputStream(file)) {
                    o.write(line, 0, line.length / 2);
                    o.flush();
                    Thread.sleep(20);
                    o.write(line, line.length / 2, line.length - line.length / 2);
                }
            } else {
                Path t = unique(channels);
                Files.write(t, line);
                Files.move(t, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            }
        }

        @Override
        public Optional<Publication> latest(String channel) throws DeploymentException {
            open();
            Path file = root.resolve("channels").resolve(channel);
            try {
                if (!Files.exists(file)) {
                    return Optional.empty();
                }
                String[] f = Files.readString(file, StandardCharsets.UTF_8).trim().split(" ");
                return Optional.of(new Publication(channel, "tck", 1, f[0], Long.parseLong(f[1]), f[2]));
            } catch (IOException | RuntimeException e) {
                throw new DeploymentException("cannot read channel " + channel + ": " + e, e);
            }
        }

        @Override
        public void fetch(Publication p, Path destination) throws DeploymentException {
            open();
            try {
                if (fault.equals("unlocked")) {
                    download(p, destination);
                    return;
                }
                Object lock = DESTINATIONS.computeIfAbsent(destination.toAbsolutePath().normalize(),
                        k -> new Object());
                synchronized (lock) {
                    if (Files.isRegularFile(destination) && Files.size(destination) == p.sizeBytes()
                            && Sha256.hex(destination).equals(p.sha256())) {
                        return;
                    }
                    download(p, destination);
                }
            } catch (IOException e) {
                throw new DeploymentException("cannot fetch " + p.location() + ": " + e.getMessage(), e);
            }
        }

        /** Resumes from what the destination holds (a file as long as the bundle or longer starts over). */
        private void download(Publication p, Path destination) throws IOException {
            long from = Files.exists(destination) ? Files.size(destination) : 0;
            if (from >= p.sizeBytes()) {
                Files.delete(destination);
                from = 0;
            }
            try (InputStream in = Files.newInputStream(Path.of(p.location()));
                    OutputStream out = Files.newOutputStream(destination, StandardOpenOption.CREATE,
                            StandardOpenOption.APPEND)) {
                in.skipNBytes(from);
                byte[] buf = fault.equals("shared-buffer") ? sharedBuffer : new byte[8192];
                for (int n; (n = in.read(buf)) > 0; ) {
                    if (!fault.equals("none")) {
                        Thread.yield();
                    }
                    out.write(buf, 0, n);
                }
            }
            if (fault.equals("trusting-resume") && from > 0) {
                return;
            }
            if (!matches(destination, p) && from > 0) {
                Files.delete(destination); // the partial file was of another bundle: start over once
                download(p, destination);
                return;
            }
            check(destination, p);
        }

        private static boolean matches(Path f, Publication p) throws IOException {
            return Files.size(f) == p.sizeBytes() && Sha256.hex(f).equals(p.sha256());
        }

        private static void check(Path f, Publication p) throws IOException {
            if (!matches(f, p)) {
                Files.deleteIfExists(f);
                throw new DeploymentException("fetched bytes of " + f + " do not match " + p.sha256());
            }
        }

        @Override
        public void close() {
            closed = true;
        }
    }
}

package io.edgeloop.ota.registry.fs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.edgeloop.api.provenance.Sha256;
import io.edgeloop.ota.bundle.BundleArchive;
import io.edgeloop.ota.bundle.BundleAssembler;
import io.edgeloop.ota.bundle.BundleLimits;
import io.edgeloop.ota.bundle.BundleManifest;
import io.edgeloop.ota.bundle.BundleVerifier;
import io.edgeloop.ota.bundle.Lineage;
import io.edgeloop.ota.bundle.VersionRange;
import io.edgeloop.ota.json.CanonicalJson;
import io.edgeloop.ota.registry.ModelRegistry;
import io.edgeloop.ota.registry.ModelStatus;
import io.edgeloop.ota.registry.RegistryEntry;
import io.edgeloop.ota.registry.VersionBump;
import io.edgeloop.ota.trust.SigningKey;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A registry directory: {@code models/<name>/<sequence>/bundle.tar} and {@code entry.json} (written once, never
 * replaced), {@code status.json} (status and channels, replaced atomically). Publishing and every status change
 * take a lock per model (an in-process lock shared by every registry of the JVM, then the model's file lock for
 * other processes), so concurrent publishers and editors, in this process or others, get distinct sequences and
 * never lose each other's changes; the fixed temporary names {@code entry.json.tmp} and {@code status.json.tmp}
 * are only ever written under that lock, so two writers never meet there. A publish writes and fsyncs the bundle,
 * then status.json, then entry.json (by rename), then fsyncs the directory: a version exists once its entry.json
 * does. A version directory without entry.json or status.json is what a crash mid-publish leaves; it was never
 * listed, so the next publish of that sequence reuses it.
 *
 * <p>Thread-safe, also with several registries on one root in one process.
 */
final class FileSystemRegistry implements ModelRegistry {
    private final Path root;
    private final Clock clock;
    /** One in-process lock per model directory (real path), shared by every registry of this JVM. */
    private static final Logger LOG = LoggerFactory.getLogger(FileSystemRegistry.class);
    private static final ConcurrentHashMap<Path, Object> MODEL_LOCKS = new ConcurrentHashMap<>();

    private volatile boolean closed;

    FileSystemRegistry(Path root, Clock clock) {
        this.root = root;
        this.clock = clock;
    }

    private Path modelDir(String name) throws IOException {
        if (closed) {
            throw new IllegalStateException("registry is closed");
        }
        if (!name.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,127}") || name.contains("..")) {
            throw new IllegalArgumentException("invalid model name '" + name + "'");
        }
        return root.resolve("models").resolve(name);
    }

    @Override
    public RegistryEntry publish(BundleAssembler assembler, VersionBump bump, boolean raiseEpoch,
            List<SigningKey> signers) throws IOException {
        String name = assembler.name();
        return locked(name, () -> {
                // strict: a damaged latest version must stop a publish (its sequence and version would be reused)
                List<RegistryEntry> h = history(name, true);
                RegistryEntry last = h.isEmpty() ? null : h.get(h.size() - 1);
                long seq = last == null ? 1 : last.sequence() + 1;
                long epoch = (last == null ? 0 : last.securityEpoch()) + (raiseEpoch ? 1 : 0);
                String version = last == null ? "1.0.0" : bump(last.version(), bump);
                Instant now = clock.instant().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
                assembler.sequence(seq).version(version).securityEpoch(epoch).createdAt(now);
                Path dir = modelDir(name);
                Path vdir = dir.resolve(String.format("%010d", seq));
                if (Files.exists(vdir.resolve("entry.json")) && Files.exists(vdir.resolve("status.json"))) {
                    throw new IOException("sequence " + seq + " of " + name + " already exists; refusing to overwrite");
                }
                clearOrphan(vdir);
                Files.createDirectories(vdir);
                Path bundle = vdir.resolve("bundle.tar");
                BundleManifest m = assembler.write(signers, false, bundle);
                fsync(bundle);
                bundle.toFile().setReadOnly();
                RegistryEntry e = new RegistryEntry(name, version, seq, epoch, Sha256.hex(bundle), Files.size(bundle),
                        now, ModelStatus.ACTIVE, java.util.Set.of(), "");
                ObjectNode o = CanonicalJson.object();
                o.put("name", name);
                o.put("version", version);
                o.put("sequence", seq);
                o.put("securityEpoch", epoch);
                o.put("sha256", e.sha256());
                o.put("sizeBytes", e.sizeBytes());
                o.put("publishedAt", now.toString());
                ArrayNode ds = o.putArray("datasets");
                m.lineage().datasets().forEach(d -> ds.add(d.sha256()));
                writeStatus(vdir, ModelStatus.ACTIVE, new TreeSet<>(), "");
                Path tmp = vdir.resolve("entry.json.tmp");
                Files.write(tmp, CanonicalJson.bytes(o));
                fsync(tmp);
                tmp.toFile().setReadOnly();
                Files.move(tmp, vdir.resolve("entry.json"), StandardCopyOption.ATOMIC_MOVE);
                fsync(vdir);
                fsync(dir);
                return e;
        });
    }

    /**
     * Work on one model under the in-process lock and the model's file lock (other processes). The in-process lock
     * is one per model directory for the whole JVM, not per registry: the JVM refuses a second file lock on a file
     * it already locks ({@link java.nio.channels.OverlappingFileLockException}), so two registries open on one
     * root in one process (two components, two threads) failed each other's publishes and status changes.
     */
    private <T> T locked(String name, IoAction<T> action) throws IOException {
        Path dir = modelDir(name);
        Files.createDirectories(dir);
        synchronized (MODEL_LOCKS.computeIfAbsent(dir.toRealPath(), d -> new Object())) {
            try (FileChannel ch = FileChannel.open(dir.resolve(".lock"), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE); FileLock fl = ch.lock()) {
                if (!fl.isValid()) {
                    throw new IOException("lost the registry lock for " + name);
                }
                return action.run();
            }
        }
    }

    /** An I/O step run under the model's locks. */
    @FunctionalInterface
    private interface IoAction<T> {
        T run() throws IOException;
    }

    /** Removes what a crashed publish left in a version directory nobody ever saw listed. */
    private static void clearOrphan(Path vdir) throws IOException {
        if (!Files.isDirectory(vdir)) {
            return;
        }
        try (Stream<Path> s = Files.list(vdir)) {
            for (Path f : s.toList()) {
                Files.delete(f);
            }
        }
    }

    private static void fsync(Path p) {
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // some file systems cannot open directories for sync; the rename is still atomic there
        }
    }

    static String bump(String version, VersionBump b) {
        int[] v = VersionRange.version(version);
        switch (b) {
            case MAJOR: return (v[0] + 1) + ".0.0";
            case MINOR: return v[0] + "." + (v[1] + 1) + ".0";
            default: return v[0] + "." + v[1] + "." + (v[2] + 1);
        }
    }

    private static void writeStatus(Path vdir, ModelStatus s, TreeSet<String> channels, String note) throws IOException {
        ObjectNode o = CanonicalJson.object();
        o.put("status", s.name());
        ArrayNode ch = o.putArray("channels");
        channels.forEach(ch::add);
        o.put("note", note);
        Path tmp = vdir.resolve("status.json.tmp");
        Files.write(tmp, CanonicalJson.bytes(o));
        fsync(tmp);
        Files.move(tmp, vdir.resolve("status.json"), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        fsync(vdir);
    }

    /**
     * Reads one version; a damaged {@code entry.json} or {@code status.json} gives an IOException naming the file
     * and the field.
     */
    private static RegistryEntry read(Path vdir) throws IOException {
        Path ef = vdir.resolve("entry.json");
        Path sf = vdir.resolve("status.json");
        JsonNode e = object(ef);
        JsonNode s = object(sf);
        long sequence = number(e, ef, "sequence");
        String dirName = vdir.getFileName().toString();
        if (dirName.matches("\\d{10}") && sequence != Long.parseLong(dirName)) {
            throw new IOException(ef + ": field 'sequence' is " + sequence + " but the directory is " + dirName);
        }
        Instant publishedAt;
        try {
            publishedAt = Instant.parse(text(e, ef, "publishedAt"));
        } catch (java.time.format.DateTimeParseException x) {
            throw new IOException(ef + ": field 'publishedAt' is not an ISO-8601 instant: " + x.getParsedString(), x);
        }
        ModelStatus status;
        String st = text(s, sf, "status");
        try {
            status = ModelStatus.valueOf(st);
        } catch (IllegalArgumentException x) {
            throw new IOException(sf + ": field 'status' is '" + st + "', not one of "
                    + java.util.Arrays.toString(ModelStatus.values()), x);
        }
        TreeSet<String> ch = new TreeSet<>();
        JsonNode channels = s.path("channels");
        if (!channels.isMissingNode() && !channels.isArray()) {
            throw new IOException(sf + ": field 'channels' must be an array of channel names");
        }
        for (JsonNode c : channels) {
            if (!c.isTextual()) {
                throw new IOException(sf + ": field 'channels' holds " + c + ", not a channel name");
            }
            ch.add(c.textValue());
        }
        JsonNode note = s.path("note");
        if (!note.isMissingNode() && !note.isTextual()) {
            throw new IOException(sf + ": field 'note' must be a string");
        }
        return new RegistryEntry(text(e, ef, "name"), text(e, ef, "version"), sequence, number(e, ef, "securityEpoch"),
                text(e, ef, "sha256"), number(e, ef, "sizeBytes"), publishedAt, status, ch, note.asText(""));
    }

    private static JsonNode object(Path f) throws IOException {
        JsonNode n;
        try {
            n = CanonicalJson.parse(Files.readAllBytes(f));
        } catch (IOException x) {
            throw new IOException(f + " is damaged: " + x.getMessage(), x);
        }
        if (n == null || !n.isObject()) {
            throw new IOException(f + " is damaged: it must hold a JSON object");
        }
        return n;
    }

    private static String text(JsonNode n, Path f, String field) throws IOException {
        JsonNode v = n.get(field);
        if (v == null || !v.isTextual() || v.textValue().isEmpty()) {
            throw new IOException(f + ": field '" + field + "' is " + (v == null ? "missing" : v + ", not a non-empty string"));
        }
        return v.textValue();
    }

    private static long number(JsonNode n, Path f, String field) throws IOException {
        JsonNode v = n.get(field);
        if (v == null || !v.isIntegralNumber() || !v.canConvertToLong() || v.longValue() < 0) {
            throw new IOException(f + ": field '" + field + "' is " + (v == null ? "missing" : v + ", not a whole number >= 0"));
        }
        return v.longValue();
    }

    /**
     * Every readable version, oldest first. A version whose entry.json or status.json is damaged is skipped and
     * logged (WARN, naming the file and field), so one damaged version does not hide the others.
     */
    @Override
    public List<RegistryEntry> history(String name) throws IOException {
        return history(name, false);
    }

    /** With {@code strict}, a damaged version throws instead of being skipped (publishing must not skip one). */
    private List<RegistryEntry> history(String name, boolean strict) throws IOException {
        Path dir = modelDir(name);
        List<RegistryEntry> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (Stream<Path> s = Files.list(dir)) {
            for (Path v : s.filter(p -> p.getFileName().toString().matches("\\d{10}")).sorted().toList()) {
                if (Files.exists(v.resolve("entry.json")) && Files.exists(v.resolve("status.json"))) {
                    try {
                        out.add(read(v));
                    } catch (IOException e) {
                        if (strict) {
                            throw e;
                        }
                        LOG.warn("registry: skipping an unreadable version of {}: {}", name, e.getMessage());
                    }
                }
            }
        }
        return out;
    }

    @Override
    public Optional<RegistryEntry> get(String name, String version) throws IOException {
        return history(name).stream().filter(e -> e.version().equals(version)).findFirst();
    }

    private Path versionDir(String name, String version) throws IOException {
        RegistryEntry e = get(name, version).orElseThrow(() -> new IOException("no version " + version + " of "
                + name + " in the registry"));
        return modelDir(name).resolve(String.format("%010d", e.sequence()));
    }

    @Override
    public Path bundle(String name, String version) throws IOException {
        RegistryEntry e = get(name, version).orElseThrow(() -> new IOException("no version " + version + " of "
                + name + " in the registry"));
        Path b = versionDir(name, version).resolve("bundle.tar");
        String sha = Sha256.hex(b);
        if (!sha.equals(e.sha256())) {
            throw new IOException("registry bundle " + name + " " + version + " was modified after publishing: SHA-256 "
                    + sha + ", recorded " + e.sha256());
        }
        return b;
    }

    @Override
    public Lineage lineage(String name, String version) throws IOException {
        Path b = bundle(name, version);
        try (InputStream in = Files.newInputStream(b)) {
            byte[] m = BundleArchive.read(in, BundleLimits.DEFAULT).entries().get("manifest.json");
            return BundleVerifier.parseManifest(m).lineage();
        }
    }

    @Override
    public List<RegistryEntry> trainedOn(String datasetSha256) throws IOException {
        List<RegistryEntry> out = new ArrayList<>();
        Path models = root.resolve("models");
        if (!Files.isDirectory(models)) {
            return out;
        }
        try (Stream<Path> s = Files.list(models)) {
            for (Path m : s.sorted().toList()) {
                for (RegistryEntry e : history(m.getFileName().toString())) {
                    JsonNode entry = CanonicalJson.parse(Files.readAllBytes(
                            m.resolve(String.format("%010d", e.sequence())).resolve("entry.json")));
                    for (JsonNode d : entry.path("datasets")) {
                        if (d.asText().equals(datasetSha256)) {
                            out.add(e);
                        }
                    }
                }
            }
        }
        return out;
    }

    private RegistryEntry change(String name, String version, java.util.function.Function<RegistryEntry, ModelStatus> st,
            java.util.function.Function<RegistryEntry, TreeSet<String>> ch, String note) throws IOException {
        return locked(name, () -> {
            RegistryEntry e = get(name, version).orElseThrow(() -> new IOException("no version " + version + " of "
                    + name + " in the registry"));
            Path vdir = versionDir(name, version);
            writeStatus(vdir, st.apply(e), ch.apply(e), note);
            return read(vdir);
        });
    }

    @Override
    public RegistryEntry promote(String name, String version, String channel) throws IOException {
        get(name, version).orElseThrow(() -> new IOException("no version " + version + " of " + name));
        bundle(name, version); // digest check before anything is served
        return change(name, version, x -> {
            if (x.status() == ModelStatus.YANKED) { // checked under the lock: a concurrent yank wins
                throw new IllegalStateException(name + " " + version + " is yanked and cannot be promoted");
            }
            return x.status();
        }, x -> {
            TreeSet<String> c = new TreeSet<>(x.channels());
            c.add(channel);
            return c;
        }, "promoted to " + channel);
    }

    @Override
    public RegistryEntry deprecate(String name, String version, String reason) throws IOException {
        return change(name, version, x -> x.status() == ModelStatus.YANKED ? ModelStatus.YANKED : ModelStatus.DEPRECATED,
                x -> new TreeSet<>(x.channels()), reason);
    }

    @Override
    public RegistryEntry yank(String name, String version, String reason) throws IOException {
        return change(name, version, x -> ModelStatus.YANKED, x -> new TreeSet<>(), reason);
    }

    @Override
    public Optional<RegistryEntry> current(String name, String channel) throws IOException {
        List<RegistryEntry> history = history(name); // oldest first
        int best = -1;
        for (int i = 0; i < history.size(); i++) {
            RegistryEntry e = history.get(i);
            if (e.status() != ModelStatus.YANKED && e.channels().contains(channel)) {
                best = i;
            }
        }
        if (best < 0) {
            return Optional.empty();
        }
        RegistryEntry b = history.get(best);
        for (RegistryEntry later : history.subList(best + 1, history.size())) {
            if (later.status() == ModelStatus.YANKED && later.securityEpoch() > b.securityEpoch()) {
                // A yanked version raised the epoch: devices that installed it refuse b, and the raise said versions
                // before it must go; the yank does not bring them back.
                LOG.warn("registry: not serving {} {} on channel {}: its security epoch {} is below the epoch {} "
                        + "that {} {} raised before it was yanked; publish a new version with raiseEpoch to roll "
                        + "back", name, b.version(), channel, b.securityEpoch(), later.securityEpoch(), name,
                        later.version());
                return Optional.empty();
            }
        }
        return Optional.of(b);
    }

    @Override
    public void close() {
        closed = true;
    }
}

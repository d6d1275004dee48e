package io.edgeloop.ota.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.edgeloop.api.deploy.Publication;
import io.edgeloop.api.provenance.Sha256;
import io.edgeloop.ota.bundle.BundleArchive;
import io.edgeloop.ota.bundle.BundleLimits;
import io.edgeloop.ota.bundle.BundleManifest;
import io.edgeloop.ota.bundle.BundleVerificationException;
import io.edgeloop.ota.bundle.BundleVerifier;
import io.edgeloop.ota.json.CanonicalJson;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Channels of published bundles in a directory: {@code channels/<channel>/<sha256>.bundle} (immutable, named by
 * digest) and {@code channels/<channel>/latest.json} (replaced atomically on publish). The model name and
 * sequence shown in a publication are read from the bundle's manifest when it is a readable bundle; the store
 * does not verify signatures (devices do).
 *
 * <p>Thread-safe: publishes to one channel are serialised; readers see the old or the new publication.
 */
public final class ChannelStore {
    private static final Pattern CHANNEL = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");
    private final Path root;
    private final Object lock = new Object();

    /**
     * @param root the directory (created when missing)
     * @throws IOException when it cannot be created
     */
    public ChannelStore(Path root) throws IOException {
        this.root = Files.createDirectories(Objects.requireNonNull(root, "root")).toRealPath();
    }

    /** @return the root directory */
    public Path root() {
        return root;
    }

    private Path channelDir(String channel) throws IOException {
        if (!CHANNEL.matcher(channel).matches()) {
            throw new IOException("invalid channel name '" + channel + "': use 1-64 of [a-z0-9._-], starting with a letter or digit");
        }
        return root.resolve("channels").resolve(channel);
    }

    /**
     * Publishes a bundle file on a channel.
     *
     * @param bundle  the file
     * @param channel the channel
     * @return the publication; its location is the stored file's absolute path
     * @throws IOException when the file cannot be read or stored
     */
    public Publication publish(Path bundle, String channel) throws IOException {
        Path dir = channelDir(channel);
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, "incoming-", ".tmp");
        try {
            java.security.MessageDigest md = Sha256.newDigest();
            long size;
            try (InputStream in = Files.newInputStream(bundle);
                    java.io.OutputStream o = Files.newOutputStream(tmp)) {
                byte[] buf = new byte[64 * 1024];
                long n = 0;
                int r;
                while ((r = in.read(buf)) > 0) {
                    md.update(buf, 0, r);
                    o.write(buf, 0, r);
                    n += r;
                }
                size = n;
            }
            String sha = HexFormat.of().formatHex(md.digest());
            String name = "unknown";
            long sequence = 0;
            try (InputStream in = Files.newInputStream(tmp)) {
                byte[] m = BundleArchive.read(in, BundleLimits.DEFAULT).entries().get("manifest.json");
                if (m != null) {
                    BundleManifest bm = BundleVerifier.parseManifest(m);
                    name = bm.name();
                    sequence = bm.sequence();
                }
            } catch (BundleVerificationException e) {
                // not a readable bundle: published as opaque bytes; devices will refuse it when they verify
            }
            Path target = dir.resolve(sha + ".bundle");
            synchronized (lock) {
                if (!Files.exists(target)) {
                    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
                }
                Publication p = new Publication(channel, name, sequence, sha, size, target.toString());
                Path latestTmp = dir.resolve("latest.json.tmp");
                Files.write(latestTmp, CanonicalJson.bytes(toJson(p)));
                Files.move(latestTmp, dir.resolve("latest.json"), StandardCopyOption.REPLACE_EXISTING,
                        StandardCopyOption.ATOMIC_MOVE);
                return p;
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * @param channel the channel
     * @return its current publication
     * @throws IOException when the channel cannot be read
     */
    public Optional<Publication> latest(String channel) throws IOException {
        Path f = channelDir(channel).resolve("latest.json");
        if (!Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)) {
            return Optional.empty();
        }
        return Optional.of(fromJson(CanonicalJson.parse(Files.readAllBytes(f))));
    }

    /**
     * Resolves a stored bundle file.
     *
     * @param channel the channel
     * @param sha256  the digest
     * @return the file, when stored
     * @throws IOException when the names are invalid
     */
    public Optional<Path> file(String channel, String sha256) throws IOException {
        if (!sha256.matches("[0-9a-f]{64}")) {
            return Optional.empty();
        }
        Path f = channelDir(channel).resolve(sha256 + ".bundle");
        return Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS) ? Optional.of(f) : Optional.empty();
    }

    /**
     * @param p a publication
     * @return its JSON form
     */
    public static ObjectNode toJson(Publication p) {
        ObjectNode o = CanonicalJson.object();
        o.put("channel", p.channel());
        o.put("name", p.name());
        o.put("sequence", p.sequence());
        o.put("sha256", p.sha256());
        o.put("sizeBytes", p.sizeBytes());
        o.put("location", p.location());
        return o;
    }

    /**
     * @param n the JSON form
     * @return the publication
     * @throws IOException when malformed
     */
    public static Publication fromJson(JsonNode n) throws IOException {
        try {
            return new Publication(n.get("channel").asText(), n.get("name").asText(), n.get("sequence").asLong(),
                    n.get("sha256").asText(), n.get("sizeBytes").asLong(), n.get("location").asText());
        } catch (NullPointerException | IllegalArgumentException e) {
            throw new IOException("malformed publication JSON: " + n, e);
        }
    }
}

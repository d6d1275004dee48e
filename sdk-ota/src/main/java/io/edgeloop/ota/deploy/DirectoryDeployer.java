package io.edgeloop.ota.deploy;

import io.edgeloop.api.deploy.Deployer;
import io.edgeloop.api.deploy.DeploymentException;
import io.edgeloop.api.deploy.Publication;
import io.edgeloop.ota.bundle.BundleVerifier;
import io.edgeloop.ota.file.RegularFileChannel;
import io.edgeloop.ota.server.ChannelStore;
import io.edgeloop.ota.trust.TrustException;
import io.edgeloop.ota.trust.TrustRoot;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Publishes into a {@link ChannelStore} directory (local disk, NFS, a synced folder) and fetches from it,
 * resuming partial copies (a partial copy of other bytes is dropped and the copy started over once); fetches into
 * one destination run one at a time in the JVM, and one that finds the publication's bytes already there copies
 * nothing; never copies more than a publication announces, nor publications above the size limit,
 * and never writes through a symbolic link at the destination. Given a trust file, its publishes are verified
 * against it first ({@link ChannelStore#ChannelStore(Path, BundleVerifier)}), once the file's own signatures are
 * checked ({@link TrustRoot#requireOwnSignatures()}, as a device adopting a rotated root checks them). Thread-safe; {@link #close()} is
 * idempotent.
 */
final class DirectoryDeployer implements Deployer {
    private final Path root;
    private final Object lock = new Object();
    private final long maxBytes;
    /** The trust file publishes are verified against, read when the store is first used; null: unverified. */
    private final Path trust;
    private ChannelStore store;
    private volatile boolean closed;

    DirectoryDeployer(Path root, long maxBytes) {
        this(root, maxBytes, null);
    }

    DirectoryDeployer(Path root, long maxBytes, Path trust) {
        this.root = root;
        this.maxBytes = maxBytes;
        this.trust = trust;
    }

    private ChannelStore store() throws DeploymentException {
        if (closed) {
            throw new IllegalStateException("deployer is closed");
        }
        synchronized (lock) {
            if (store == null) {
                TrustRoot t = null;
                if (trust != null) {
                    try {
                        t = TrustRoot.read(trust);
                    } catch (IOException e) {
                        throw new DeploymentException("cannot read the trust file " + trust + " (directory deployer's"
                                + " trust): " + e.getMessage(), e);
                    }
                    try {
                        // as a device adopts a rotated root and bundle withdraw reads it: a file edited after
                        // signing (a key added) would let through bundles that no device accepts
                        t.requireOwnSignatures();
                    } catch (TrustException e) {
                        throw new DeploymentException("trust file " + trust + " (directory deployer's trust) refused: "
                                + e.getMessage() + "; nothing was published", e);
                    }
                }
                try {
                    store = t == null ? ChannelStore.withoutVerification(root)
                            : new ChannelStore(root, new BundleVerifier(t));
                } catch (IOException e) {
                    throw new DeploymentException("cannot open deployment directory " + root + ": " + e.getMessage(), e);
                }
            }
            return store;
        }
    }

    @Override
    public Publication publish(Path bundle, String channel) throws DeploymentException {
        ChannelStore s = store();
        try {
            return s.publish(bundle, channel);
        } catch (IOException e) {
            throw new DeploymentException("cannot publish " + bundle + " on " + channel + ": " + e.getMessage(), e);
        }
    }

    @Override
    public Optional<Publication> latest(String channel) throws DeploymentException {
        ChannelStore s = store();
        try {
            return s.latest(channel);
        } catch (IOException e) {
            throw new DeploymentException("cannot read channel " + channel + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void fetch(Publication publication, Path destination) throws DeploymentException {
        store();
        Downloads.checkAnnounced(publication, maxBytes);
        Path src;
        try {
            src = Path.of(publication.location());
        } catch (java.nio.file.InvalidPathException e) {
            throw new DeploymentException("publication location '" + publication.location() + "' is not a path: "
                    + e.getReason());
        }
        try {
            Downloads.fetch(destination, publication, from -> copy(src, destination, publication, from));
        } catch (DeploymentException e) {
            throw e;
        } catch (IOException e) {
            throw new DeploymentException("cannot fetch " + src + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DeploymentException("interrupted while waiting for another fetch into " + destination, e);
        }
    }

    private static void copy(Path src, Path destination, Publication publication, long from) throws IOException {
        // through RegularFileChannel: a FIFO at the bundle's name would otherwise hold the device's poll for good
        try (InputStream in = java.nio.channels.Channels.newInputStream(RegularFileChannel.open(src));
                OutputStream out = Downloads.openForAppend(destination)) {
            in.skipNBytes(from);
            Downloads.copyAtMost(in, out, publication.sizeBytes() - from, destination, publication);
        }
    }

    @Override
    public void close() {
        closed = true;
    }
}

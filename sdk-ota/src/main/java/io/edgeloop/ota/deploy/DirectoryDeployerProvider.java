package io.edgeloop.ota.deploy;

import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.api.config.KeyAliases;
import io.edgeloop.api.deploy.Deployer;
import io.edgeloop.api.deploy.DeployerProvider;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

/**
 * {@code directory}: publishes bundles into a directory tree devices (or gateways) can read. Config: {@code root}
 * (required), the directory;
 * {@code max-bundle-bytes} (default: the largest archive the default {@link io.edgeloop.ota.bundle.BundleLimits}
 * accept; larger publications are not fetched); {@code trust} (optional), the devices' trust file: a publish
 * verifies the bundle against it as devices do and refuses one they would refuse, before the channel moves (without
 * it, only readability is checked, and a bundle signed outside the trust root can raise a channel's sequence floor);
 * a trust file above version 1 must be signed by its own threshold over its content, as devices require of a rotated
 * root ({@link io.edgeloop.ota.trust.TrustRoot#requireOwnSignatures}), else every call fails naming it.
 * Any other key is refused, naming the closest known key. The spelling of before 2026-12-03, {@code maxBundleBytes},
 * still works as a deprecated alias (a WARN, once per deployer created, names the new spelling).
 * Thread-safe; {@link #create} does no I/O.
 */
public final class DirectoryDeployerProvider implements DeployerProvider {
    private static final KeyAliases ALIASES = KeyAliases.of(Map.of("maxBundleBytes",
            HttpDeployerProvider.MAX_BUNDLE_BYTES));

    /** Creates the provider. */
    public DirectoryDeployerProvider() {
    }

    @Override
    public String name() {
        return "directory";
    }

    @Override
    public Deployer create(ComponentConfig config) {
        config.requireKnownKeys("directory deployer", Set.of("root", HttpDeployerProvider.MAX_BUNDLE_BYTES, "trust"),
                Set.of(), ALIASES);
        ComponentConfig c = ALIASES.resolve("directory deployer", config);
        return new DirectoryDeployer(Path.of(c.requireString("root")), HttpDeployerProvider.maxBytes(c),
                c.get("trust").map(Path::of).orElse(null));
    }
}

package io.edgeloop.ota.tck;

import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.api.spi.ProviderLoader;
import io.edgeloop.ota.bundle.BundleAssembler;
import io.edgeloop.ota.bundle.Lineage;
import io.edgeloop.ota.registry.ModelRegistry;
import io.edgeloop.ota.registry.ModelRegistryProvider;
import io.edgeloop.ota.registry.RegistryEntry;
import io.edgeloop.ota.registry.VersionBump;
import io.edgeloop.ota.trust.SigningKey;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * Registries with one fault each, built on the {@code filesystem} registry, to show the kit fails them (a kit that
 * passes everything proves nothing). Registered in this module's test {@code META-INF/services}.
 */
final class BrokenRegistries {
    private BrokenRegistries() {
    }

    /** Passes every call to the filesystem registry; subclasses break one. */
    static class Delegating implements ModelRegistry {
        final ModelRegistry d;

        Delegating(ComponentConfig config) {
            d = ProviderLoader.of(ModelRegistryProvider.class).select("filesystem").create(config);
        }

        @Override
        public RegistryEntry publish(BundleAssembler a, VersionBump bump, boolean raiseEpoch, List<SigningKey> s)
                throws IOException {
            return d.publish(a, bump, raiseEpoch, s);
        }

        @Override
        public List<RegistryEntry> history(String name) throws IOException {
            return d.history(name);
        }

        @Override
        public Optional<RegistryEntry> get(String name, String version) throws IOException {
            return d.get(name, version);
        }

        @Override
        public Path bundle(String name, String version) throws IOException {
            return d.bundle(name, version);
        }

        @Override
        public Lineage lineage(String name, String version) throws IOException {
            return d.lineage(name, version);
        }

        @Override
        public List<RegistryEntry> trainedOn(String datasetSha256) throws IOException {
            return d.trainedOn(datasetSha256);
        }

        @Override
        public RegistryEntry promote(String name, String version, String channel) throws IOException {
            return d.promote(name, version, channel);
        }

        @Override
        public RegistryEntry deprecate(String name, String version, String reason) throws IOException {
            return d.deprecate(name, version, reason);
        }

        @Override
        public RegistryEntry yank(String name, String version, String reason) throws IOException {
            return d.yank(name, version, reason);
        }

        @Override
        public Optional<RegistryEntry> current(String name, String channel) throws IOException {
            return d.current(name, channel);
        }

        @Override
        public void close() {
            d.close();
        }
    }

    /** Lists history newest first. */
    public static final class ReversedHistory implements ModelRegistryProvider {
        @Override
        public String name() {
            return "tck-reversed-history";
        }

        @Override
        public ModelRegistry create(ComponentConfig config) {
            return new Delegating(config) {
                @Override
                public List<RegistryEntry> history(String name) throws IOException {
                    List<RegistryEntry> h = new ArrayList<>(d.history(name));
                    Collections.reverse(h);
                    return h;
                }
            };
        }
    }

    /** close() does nothing: the registry keeps working. */
    public static final class ForgetfulClose implements ModelRegistryProvider {
        @Override
        public String name() {
            return "tck-forgetful-close";
        }

        @Override
        public ModelRegistry create(ComponentConfig config) {
            return new Delegating(config) {
                @Override
                public void close() {
                    // the fault: nothing is released or refused
                }
            };
        }
    }

    /** Serves a yanked version as current when it is the newest on the channel. */
    public static final class CurrentIgnoresYank implements ModelRegistryProvider {
        @Override
        public String name() {
            return "tck-current-ignores-yank";
        }

        @Override
        public ModelRegistry create(ComponentConfig config) {
            return new Delegating(config) {
                private final java.util.Map<String, RegistryEntry> lastPromoted = new java.util.HashMap<>();

                @Override
                public RegistryEntry promote(String name, String version, String channel) throws IOException {
                    RegistryEntry e = d.promote(name, version, channel);
                    lastPromoted.put(name + "/" + channel, e);
                    return e;
                }

                @Override
                public Optional<RegistryEntry> current(String name, String channel) throws IOException {
                    d.current(name, channel);
                    return Optional.ofNullable(lastPromoted.get(name + "/" + channel));
                }
            };
        }
    }
}

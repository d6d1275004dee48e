package io.edgeloop.ota.registry.fs;

import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.ota.registry.ModelRegistry;
import io.edgeloop.ota.registry.ModelRegistryProvider;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Set;

/**
 * {@code filesystem}: a registry in a directory. Config: {@code root} (required); any other key is refused, naming
 * the closest known key. Thread-safe; {@link #create}
 * does no I/O.
 */
public final class FileSystemRegistryProvider implements ModelRegistryProvider {
    /** Creates the provider. */
    public FileSystemRegistryProvider() {
    }

    @Override
    public String name() {
        return "filesystem";
    }

    @Override
    public ModelRegistry create(ComponentConfig config) {
        config.requireKnownKeys("filesystem registry", Set.of("root"));
        return new FileSystemRegistry(Path.of(config.requireString("root")), Clock.systemUTC());
    }
}

package io.edgeloop.ota.tck;

import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.ota.registry.ModelRegistryProvider;
import io.edgeloop.api.spi.ProviderLoader;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;

/** The registry kit against sdk-ota's own {@code filesystem} registry. */
class FileSystemRegistryKitTest extends ModelRegistryContractTest {
    @Override
    protected ModelRegistryProvider provider() {
        return ProviderLoader.of(ModelRegistryProvider.class).select("filesystem");
    }

    @Override
    protected ComponentConfig config(Path workDir) {
        return ComponentConfig.of(Map.of("root", workDir.resolve("registry").toString()));
    }

    @Override
    protected void corruptStoredBundle(Path workDir, String name, String version) throws Exception {
        Path bundle;
        try (Stream<Path> s = Files.walk(workDir.resolve("registry"))) {
            // the only version published in the tamper test: models/<name>/<sequence>/bundle.tar
            bundle = s.filter(p -> p.getFileName().toString().equals("bundle.tar")).findFirst().orElseThrow();
        }
        bundle.toFile().setWritable(true);
        try (RandomAccessFile f = new RandomAccessFile(bundle.toFile(), "rw")) {
            f.seek(600);
            int b = f.read();
            f.seek(600);
            f.write(b ^ 0x01);
        }
    }
}

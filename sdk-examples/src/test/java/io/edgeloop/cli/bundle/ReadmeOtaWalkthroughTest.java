package io.edgeloop.cli.bundle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.cli.Edgeloop;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * README's OTA sections ("Signed bundles", "Rollouts") followed top to bottom, as a newcomer pastes them into a shell
 * in one directory: every {@code sh} block runs with {@code bash -e}, {@code edgeloop} being this build's CLI (review
 * s18: the release block's {@code keygen --out keys/a} met the key the section before made, {@code &&} skipped its
 * {@code trust}, and the publish was refused with 422 threshold). Only the benchmark lines ({@code edgeloop bench},
 * figures rather than behaviour) are left out; port 8080 and the store directory are replaced by a free port and
 * one under the test's directory.
 */
@DisplayName("README's OTA walk-through runs as written")
class ReadmeOtaWalkthroughTest {
    private static final Pattern SH_BLOCK = Pattern.compile("```sh\n(.*?)```", Pattern.DOTALL);

    /** The repository's root: the first directory upwards from the module holding the parent POM. */
    private static Path repository() throws IOException {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path pom = p.resolve("pom.xml");
            if (Files.isRegularFile(pom) && Files.readString(pom).contains("<module>sdk-examples</module>")) {
                return p;
            }
        }
        throw new IllegalStateException("repository root not found above " + Path.of("").toAbsolutePath());
    }

    /** The {@code sh} blocks from "### Signed bundles" up to the next section after "### Rollouts". */
    static List<String> otaBlocks(String readme) {
        int from = readme.indexOf("\n### Signed bundles");
        int rollouts = readme.indexOf("\n### Rollouts", from);
        int to = readme.indexOf("\n### ", rollouts + 1);
        assertTrue(from >= 0 && rollouts > from && to > rollouts, "README's OTA sections");
        List<String> blocks = new ArrayList<>();
        Matcher m = SH_BLOCK.matcher(readme.substring(from, to));
        while (m.find()) {
            blocks.add(m.group(1));
        }
        return blocks;
    }

    private record Ran(int code, String out, String err) {
    }

    private static Ran bash(Path dir, Path bin, String script) throws Exception {
        // a line failing after "serve ... &" ends bash -e before the block's own "kill $!": the trap stops the server
        Path file = Files.writeString(dir.resolve("block.sh"),
                "trap 'kill $(jobs -p) 2>/dev/null || true' EXIT\n" + script);
        ProcessBuilder pb = new ProcessBuilder("bash", "-e", file.toString()).directory(dir.toFile())
                .redirectOutput(dir.resolve("block.out").toFile()).redirectError(dir.resolve("block.err").toFile());
        pb.environment().put("PATH", bin + ":" + System.getenv("PATH"));
        pb.environment().put("REPO", dir.resolve("repo").toString());
        Process p = pb.start();
        if (!p.waitFor(10, TimeUnit.MINUTES)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            throw new AssertionError("block did not end in 10 minutes:\n" + script);
        }
        return new Ran(p.exitValue(), Files.readString(dir.resolve("block.out")),
                Files.readString(dir.resolve("block.err")));
    }

    @Test
    @DisplayName("every command of Signed bundles and Rollouts, in order in one directory, does what the README says")
    void otaSectionsRunInOrder(@TempDir Path dir) throws Exception {
        Path root = repository();
        // the README reads its occupancy data under $REPO (the checkout) and runs in a scratch directory: here the
        // data are copied under repo/, apart from the directory the blocks run in, so a block that reads the data
        // relative to where it runs fails as it would for a user
        Path data = Path.of("sdk-examples/src/main/resources/io/edgeloop/examples/data/occupancy");
        Path repo = Files.createDirectories(dir.resolve("repo"));
        Files.createDirectories(repo.resolve(data));
        try (Stream<Path> files = Files.list(root.resolve(data))) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Files.copy(f, repo.resolve(data).resolve(f.getFileName().toString()));
            }
        }
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Path edgeloop = Files.writeString(bin.resolve("edgeloop"), "#!/bin/sh\nexec '"
                + Path.of(System.getProperty("java.home"), "bin", "java") + "' -cp '"
                + System.getProperty("java.class.path") + "' " + Edgeloop.class.getName() + " \"$@\"\n");
        Files.setPosixFilePermissions(edgeloop, PosixFilePermissions.fromString("rwxr-xr-x"));
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Path store = dir.resolve("ota");

        List<String> blocks = otaBlocks(Files.readString(root.resolve("README.md"), StandardCharsets.UTF_8));
        assertEquals(4, blocks.size(), "sh blocks: signed bundles, rollouts and benchmarks, release, withdraw");
        List<Ran> ran = new ArrayList<>();
        for (String block : blocks) {
            String script = block.lines().filter(l -> !l.startsWith("edgeloop bench ")).reduce("", (a, l) -> a + l
                    + "\n").replace("8080", Integer.toString(port)).replace("/tmp/edgeloop-ota", store.toString());
            ran.add(bash(dir, bin, script));
        }
        for (int i = 0; i < 3; i++) {
            assertEquals(0, ran.get(i).code(), "block " + (i + 1) + ":\n" + ran.get(i).out() + ran.get(i).err());
        }
        assertTrue(ran.get(0).out().contains("\"accepted\":true"), ran.get(0).out());
        assertTrue(ran.get(1).out().startsWith("{\"devices\":10000"), ran.get(1).out());
        assertTrue(ran.get(2).out().contains("\npublished har sequence 8 on channel stable ("), ran.get(2).out());
        String served = Files.readString(dir.resolve("serve.out"));
        assertTrue(served.startsWith("http://127.0.0.1:" + port + "\n"), served);
        // the block's kill $! (SIGTERM) stops the server: its last line comes once it has closed
        for (int i = 0; i < 600 && !served.contains("\nstopped;"); i++) {
            Thread.sleep(100);
            served = Files.readString(dir.resolve("serve.out"));
        }
        assertTrue(served.contains("\nstopped;"), served);
        // the walk-through's channel is healthy: withdraw refuses, as the README says, and changes nothing
        assertEquals(1, ran.get(3).code(), ran.get(3).out() + ran.get(3).err());
        assertTrue(ran.get(3).err().contains("publish a higher sequence instead"), ran.get(3).err());
    }
}

package io.edgeloop.cli.bundle;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.api.deploy.Deployer;
import io.edgeloop.api.deploy.DeployerProvider;
import io.edgeloop.api.deploy.DeploymentException;
import io.edgeloop.api.deploy.Publication;
import io.edgeloop.api.spi.ProviderLoader;
import io.edgeloop.ota.server.ChannelStore;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code edgeloop bundle publish}: uploads a bundle to an update server ({@code bundle serve}) through the
 * {@code http} deployer, the code devices poll with, and prints the publication the server answers. A refusal
 * (HTTP 422 naming the failed check, 409 not newer than the channel, 401 without the right token, 413 too large)
 * and an unreachable server exit 1 with one line.
 *
 * <p>Not thread-safe: one instance per invocation.
 */
@Command(name = "publish", mixinStandardHelpOptions = true,
        description = "Upload a bundle to an update server's channel ('bundle serve') and print the publication.")
public final class BundlePublishCommand implements Callable<Integer> {
    @Spec
    private picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "BUNDLE", description = "The signed bundle.")
    private Path bundle;

    @Option(names = "--server", required = true, paramLabel = "URL",
            description = "The update server, as 'bundle serve' prints it (http://host:port).")
    private String server;

    @Option(names = "--channel", required = true, paramLabel = "CHANNEL", description = "The channel devices poll.")
    private String channel;

    @Option(names = "--token-file", paramLabel = "FILE", description = "File holding the server's publish token; "
            + "without one, only a server without a token, reached over loopback, accepts.")
    private Path tokenFile;

    @Option(names = "--timeout", defaultValue = "60", paramLabel = "SECONDS",
            description = "Connect and answer timeout (default: ${DEFAULT-VALUE}).")
    private long timeoutSeconds;

    @Option(names = "--json", description = "Print the publication as JSON.")
    private boolean json;

    @Override
    public Integer call() throws Exception {
        if (!Files.exists(bundle)) {
            throw new IllegalArgumentException("BUNDLE " + bundle + " does not exist");
        }
        if (!Files.isRegularFile(bundle)) {
            throw new IllegalArgumentException("BUNDLE " + bundle + " is not a file");
        }
        checkServer(server);
        if (timeoutSeconds < 1) {
            throw new IllegalArgumentException("--timeout must be at least 1 second, got " + timeoutSeconds);
        }
        ChannelStore.checkChannel(channel);
        ComponentConfig.Builder config = ComponentConfig.builder().put("url", server)
                .put("timeout", timeoutSeconds + "s");
        if (tokenFile != null) {
            config.put("publish-token", TokenFile.read(tokenFile));
        }
        Publication p;
        try (Deployer http = ProviderLoader.of(DeployerProvider.class).select("http").create(config.build())) {
            p = http.publish(bundle, channel);
        } catch (DeploymentException e) {
            // the server's 401 text cannot tell a missing token from a wrong one; this side knows which it sent.
            // No cause: the CLI would append the deployer's and the server's wording of the same 401
            if (e.getMessage() != null && e.getMessage().startsWith(UNAUTHORISED)) {
                throw new IllegalStateException(tokenFile == null
                        ? "the server " + server + " needs a publish token: pass --token-file FILE (HTTP 401)"
                        : "the server " + server + " refused the publish token in " + tokenFile + " (HTTP 401)");
            }
            throw e;
        }
        if (json) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("channel", p.channel());
            m.put("name", p.name());
            m.put("sequence", p.sequence());
            m.put("sha256", p.sha256());
            m.put("sizeBytes", p.sizeBytes());
            m.put("location", p.location());
            spec.commandLine().getOut().println(new ObjectMapper().writeValueAsString(m));
        } else {
            spec.commandLine().getOut().println("published " + p.name() + " sequence " + p.sequence() + " on channel "
                    + p.channel() + " (" + p.sizeBytes() + " bytes, sha256 " + p.sha256() + "): " + p.location());
        }
        return 0;
    }

    /** How {@link io.edgeloop.ota.deploy.HttpDeployer} words a 401 answer to a publication. */
    private static final String UNAUTHORISED = "update server refused the publication (HTTP 401)";

    /**
     * Refuses a --server that is not an http(s) URL with a host: {@code 127.0.0.1:8080} failed with the URI
     * parser's "Illegal character in scheme name at index 0".
     */
    static void checkServer(String server) {
        URI u;
        try {
            u = new URI(server);
        } catch (URISyntaxException e) {
            u = null;
        }
        if (u == null || u.getHost() == null
                || !("http".equalsIgnoreCase(u.getScheme()) || "https".equalsIgnoreCase(u.getScheme()))) {
            throw new IllegalArgumentException("--server must be an http(s) URL such as http://host:8080/, got '"
                    + server + "'");
        }
    }
}

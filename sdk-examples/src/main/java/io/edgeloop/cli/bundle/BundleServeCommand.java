package io.edgeloop.cli.bundle;

import io.edgeloop.cli.buffer.StopSignal;
import io.edgeloop.ota.bundle.BundleVerifier;
import io.edgeloop.ota.server.ChannelStore;
import io.edgeloop.ota.server.UpdateServer;
import io.edgeloop.ota.trust.TrustException;
import io.edgeloop.ota.trust.TrustRoot;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code edgeloop bundle serve}: runs the {@link UpdateServer} devices poll (the {@code http} deployer's
 * {@code url}), on a {@link ChannelStore} in {@code --store}, verifying every upload with the devices' trust file
 * ({@code --trust}) before it moves a channel. Its first line on stdout is the URL it listens on, as this host
 * reaches it ({@link UpdateServer#url()}: {@code http://127.0.0.1:PORT} for a wildcard {@code --bind}), which
 * {@code bundle publish --server} takes (scripts wait for it); it runs until SIGINT or SIGTERM, then stops
 * accepting, closes and prints one last line. Devices are sent to download from the address they polled, or from
 * {@code --public-url} behind a reverse proxy. Publishing needs
 * the token in {@code --token-file}, or, without one, a loopback peer. {@code --no-verify} serves without a trust
 * file, naming the risk. At start, each channel whose latest publication {@code --trust} refuses gets a WARN on
 * stderr (another fleet's trust file, most likely); the server still starts, so devices keep polling.
 *
 * <p>Not thread-safe: one instance per invocation.
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Run the update server devices poll: channels of signed bundles in --store, every upload "
                + "verified with the devices' trust file. Prints its URL first; stops on SIGINT or SIGTERM.")
public final class BundleServeCommand implements Callable<Integer> {
    /** Default {@code --max-upload}: 64 MiB. */
    static final long DEFAULT_MAX_UPLOAD = 64L << 20;

    @Spec
    private picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--store", required = true, paramLabel = "DIR",
            description = "The channel store (created when missing): channels/<channel>/ with the published bundles.")
    private Path store;

    @Option(names = "--trust", paramLabel = "TRUST.json",
            description = "The devices' trust file: an upload it does not accept (unknown key, threshold, expiry, "
                    + "digests) is refused with HTTP 422 and changes nothing.")
    private Path trust;

    @Option(names = "--no-verify", description = "Serve without a trust file. Risky: uploads are then checked for "
            + "readability only, so a bundle signed outside the devices' trust root (a mistake, or a stolen token) "
            + "can raise a channel's sequence to 2^63-1 and freeze it for every device until 'bundle withdraw'.")
    private boolean noVerify;

    @Option(names = "--port", defaultValue = "8080", paramLabel = "PORT",
            description = "Port to listen on; 0 picks a free one (default: ${DEFAULT-VALUE}).")
    private int port;

    @Option(names = "--bind", defaultValue = "127.0.0.1", paramLabel = "ADDR",
            description = "Address to listen on (default: ${DEFAULT-VALUE}; 0.0.0.0 for every interface).")
    private String bind;

    @Option(names = "--public-url", paramLabel = "URL", description = "The URL devices reach the server at, behind "
            + "a reverse proxy that sets its own Host header or terminates TLS (e.g. https://ota.example.com or "
            + "https://example.com/ota): downloads are announced under it. Without it, a device is sent to the "
            + "address it polled (its Host header).")
    private String publicUrl;

    @Option(names = "--token-file", paramLabel = "FILE", description = "File holding the publish token (at least "
            + UpdateServer.MIN_TOKEN_LENGTH + " printable characters): a publish must send it as a bearer token. "
            + "Without one, only loopback peers may publish.")
    private Path tokenFile;

    @Option(names = "--max-upload", defaultValue = "" + DEFAULT_MAX_UPLOAD, paramLabel = "BYTES",
            converter = io.edgeloop.cli.ByteSizeConverter.class,
            description = "Largest bundle accepted, in bytes or with a unit: 512, 64KiB, 16MiB, 1GiB (default: "
                    + "${DEFAULT-VALUE}); larger uploads get HTTP 413.")
    private long maxUpload;

    @Override
    public Integer call() throws Exception {
        if (trust == null && !noVerify) {
            throw new IllegalArgumentException("--trust TRUST.json is required: the server verifies every upload with "
                    + "the devices' trust file (--no-verify serves without one, so a bundle signed outside it could "
                    + "freeze a channel)");
        }
        if (trust != null && noVerify) {
            throw new IllegalArgumentException("--trust and --no-verify exclude each other");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("--port must be 0-65535, got " + port);
        }
        if (maxUpload < 1) {
            throw new IllegalArgumentException("--max-upload must be at least 1 byte, got " + maxUpload);
        }
        UpdateServer.Builder server = UpdateServer.builder().maxUploadBytes(maxUpload);
        if (publicUrl != null) {
            try {
                server.publicUrl(publicUrl);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(e.getMessage().replaceFirst("^public URL", "--public-url"));
            }
        }
        try {
            server.address(new InetSocketAddress(InetAddress.getByName(bind), port));
        } catch (UnknownHostException e) {
            // the resolver's message alone ("nosuchhost.invalid: Name or service not known") named no option
            throw new IllegalArgumentException("--bind " + bind + " does not resolve (" + e.getMessage()
                    + "); give an address of this host such as 127.0.0.1, 0.0.0.0 or ::", e);
        }
        Optional<String> token = tokenFile == null ? Optional.empty() : Optional.of(TokenFile.read(tokenFile));
        // the library's WARN would otherwise advise Java calls; a CLI user's fix is the option
        ChannelStore channels = trust == null ? ChannelStore.withoutVerification(store, "pass --trust TRUST.json "
                + "(the devices' trust file) instead of --no-verify") : new ChannelStore(store,
                new BundleVerifier(trustRoot()));
        server.store(channels);
        token.ifPresent(server::publishToken);
        PrintWriter out = spec.commandLine().getOut();
        try (StopSignal stop = StopSignal.install(Duration.ofSeconds(30));
                UpdateServer running = start(server)) {
            out.println(running.url());
            out.println("serving " + channels.root() + (trust == null
                    ? " WITHOUT a trust file (--no-verify): uploads are checked for readability only"
                    : " with trust file " + trust) + "; publishing " + (token.isPresent()
                    ? "needs the token in " + tokenFile : "only from loopback (no --token-file)") + "; downloads "
                    + running.publicUrl().map(u -> "announced under " + u + " (--public-url)")
                            .orElse("announced at the address each device polled (its Host header)"));
            out.flush();
            stop.await(null);
            out.println("stopped; served " + running.rangeRequests() + " resumed downloads, closed "
                    + running.abandonedExchanges() + " stalled connections");
            out.flush();
        }
        return 0;
    }

    private TrustRoot trustRoot() throws IOException {
        TrustRoot t = TrustRoot.read(trust);
        try {
            t.requireOwnSignatures();
        } catch (TrustException e) {
            throw new TrustException("trust file " + trust + " refused: " + e.getMessage(), e);
        }
        return t;
    }

    private UpdateServer start(UpdateServer.Builder server) throws IOException {
        try {
            return server.start();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--token-file " + tokenFile + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new IOException("cannot listen on " + bind + ":" + port + ": " + e.getMessage(), e);
        }
    }
}

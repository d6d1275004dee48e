package io.edgeloop.cli.bundle;

import io.edgeloop.cli.OutputPath;
import io.edgeloop.ota.bundle.ArtifactEntry;
import io.edgeloop.ota.bundle.BundleArchive;
import io.edgeloop.ota.bundle.BundleAssembler;
import io.edgeloop.ota.bundle.BundleLimits;
import io.edgeloop.ota.bundle.BundleManifest;
import io.edgeloop.ota.bundle.BundleVerifier;
import io.edgeloop.ota.bundle.VersionRange;
import io.edgeloop.ota.trust.KeyPairFiles;
import io.edgeloop.ota.trust.SigningKey;
import io.edgeloop.quantize.workflow.QuantizeWorkflow;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code edgeloop bundle create}: packages {@code edgeloop quantize} output directories (one per target) into a
 * signed bundle. With {@code SOURCE_DATE_EPOCH} set (seconds since 1970, the reproducible-builds convention, as
 * for {@code quantize} and {@code train}) it is the bundle's creation time and the start of {@code --expires}, so
 * identical inputs and keys give byte-identical bundles; unset, the creation time is now.
 *
 * <p>Not thread-safe: one instance per invocation.
 */
@Command(name = "create",
        description = "Package quantized-model directories (one per target) into a signed bundle.")
public final class BundleCreateCommand implements Callable<Integer> {
    private static final long MAX_EXPIRES_SECONDS = 100L * 36525 * 864; // 100 Julian years

    @Spec
    private picocli.CommandLine.Model.CommandSpec spec;

    // Not mixinStandardHelpOptions: its -V/--version would collide with the bundle's --version option, and the
    // collision made --help fail with "Missing required options".
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    private boolean help;

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "An 'edgeloop quantize' output (repeat).")
    private List<Path> models = new ArrayList<>();

    @Option(names = "--name", required = true, description = "The model name.")
    private String name;

    @Option(names = "--sequence", required = true, paramLabel = "N", description = "Anti-rollback sequence number, 0 to "
            + "9223372036854775806 (Long.MAX_VALUE - 1: a device at the top value could never update again).")
    private long sequence;

    @Option(names = "--key", required = true, paramLabel = "PRIVATE.pem", description = "A signing key (repeat).")
    private List<Path> keys = new ArrayList<>();

    @Option(names = "--expires", paramLabel = "SECONDS", defaultValue = "7776000",
            description = "Validity in seconds from the creation time: now, or SOURCE_DATE_EPOCH when set "
                    + "(default: ${DEFAULT-VALUE} = 90 days).")
    private long expires;

    @Option(names = "--version", paramLabel = "SEMVER", description = "Semantic version (default: 1.<sequence>.0, "
            + "or 1.0.0+sequence.<sequence> for a sequence of 10 digits or more, which a version field cannot hold).")
    private String version;

    @Option(names = "--epoch", defaultValue = "0", description = "Security epoch (default: ${DEFAULT-VALUE}).")
    private long epoch;

    @Option(names = "--runtime", defaultValue = "edgeloop-int", description = "Runtime the artifacts need.")
    private String runtime;

    @Option(names = "--runtime-versions", defaultValue = ">=1.0.0 <2.0.0", description = "Runtime version constraint.")
    private String runtimeVersions;

    @Option(names = "--dataset", paramLabel = "NAME=SHA256", description = "Training dataset digest for the lineage (repeat).")
    private List<String> datasets = new ArrayList<>();

    @Option(names = "--gzip", description = "Compress the tar with gzip.")
    private boolean gzip;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "The bundle file to write (it "
            + "may replace a bundle; another existing file only with --force; never a --model or --key input).")
    private Path out;

    @Option(names = "--force", description = "Replace an existing --out file that is not a bundle.")
    private boolean force;

    @Override
    public Integer call() throws Exception {
        // The output first, before any work: it must not destroy an input or a file of another kind.
        for (Path m : models) {
            OutputPath.refuseInput("--out", out, "--model", m);
        }
        for (Path k : keys) {
            OutputPath.refuseInput("--out", out, "--key", k);
        }
        if (!force) {
            refuseOtherFile(out);
        }
        // Each option is checked here so that the one-line error names it (the library's messages name fields).
        if (expires < 1 || expires > MAX_EXPIRES_SECONDS) {
            throw new IllegalArgumentException("--expires must be between 1 and " + MAX_EXPIRES_SECONDS
                    + " seconds (100 years), got " + expires);
        }
        if (sequence < 0 || sequence > BundleVerifier.MAX_SEQUENCE) {
            // the top value would leave a device that installed it unable to accept any later bundle
            throw new IllegalArgumentException("--sequence must be from 0 to " + BundleVerifier.MAX_SEQUENCE
                    + ", got " + sequence);
        }
        if (epoch < 0) {
            throw new IllegalArgumentException("--epoch must be 0 or more, got " + epoch);
        }
        String v = version == null ? defaultVersion(sequence) : version;
        try {
            BundleManifest.checkName(name);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--name " + name + ": " + e.getMessage(), e);
        }
        try {
            BundleManifest.checkVersion(v);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--version " + v + ": " + e.getMessage()
                    + (version == null ? " (the default for sequence " + sequence + ")" : ""), e);
        }
        try {
            VersionRange.parse(runtimeVersions);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--runtime-versions " + runtimeVersions + ": " + e.getMessage()
                    + " (expected comparators such as '>=1.0.0 <2.0.0', or '*')", e);
        }
        List<SigningKey> signers = new ArrayList<>();
        Map<String, Path> byId = new HashMap<>();
        for (Path k : keys) {
            SigningKey sk = KeyPairFiles.readSigningKey(k); // refuses a private.pem beside another key's public.pem
            Path first = byId.putIfAbsent(sk.keyId(), k);
            if (first != null) {
                throw new IllegalArgumentException("--key " + k + " is the same key as --key " + first + " (key id "
                        + sk.keyId() + "); each key signs a bundle once");
            }
            signers.add(sk);
        }
        BundleAssembler a = new BundleAssembler().name(name).sequence(sequence).securityEpoch(epoch)
                .version(v).validity(Duration.ofSeconds(expires)).runtime(runtime, runtimeVersions);
        java.time.Instant created = QuantizeWorkflow.sourceDateEpoch(System.getenv("SOURCE_DATE_EPOCH"));
        if (created != null) {
            a.createdAt(created);
        }
        for (Path m : models) {
            a.model(m);
        }
        for (String d : datasets) {
            int eq = d.indexOf('=');
            if (eq < 1 || !d.substring(eq + 1).matches("[0-9a-f]{64}")) {
                throw new IllegalArgumentException("--dataset must be NAME=SHA256 (64 hex digits), got '" + d + "'");
            }
            a.dataset(d.substring(0, eq), d.substring(eq + 1));
        }
        BundleManifest m = a.write(signers, gzip, out);
        StringBuilder sb = new StringBuilder();
        for (ArtifactEntry e : m.artifacts()) {
            sb.append(sb.length() == 0 ? "" : ", ").append(e.target());
        }
        spec.commandLine().getOut().println("wrote " + out + ": " + m.name() + " " + m.version() + " sequence "
                + m.sequence() + ", artifacts for " + sb + ", " + signers.size() + " signature(s)");
        return 0;
    }

    /** Refuses an existing {@code --out} that is not a bundle: replacing a bundle is the documented workflow. */
    private static void refuseOtherFile(Path out) throws IOException {
        if (!Files.exists(out) || Files.isDirectory(out)) {
            return; // a directory: the writer's own error names it
        }
        String why;
        try (InputStream in = Files.newInputStream(out)) {
            BundleArchive a = BundleArchive.read(in, BundleLimits.DEFAULT);
            if (a.entries().containsKey("manifest.json")) {
                return;
            }
            why = "no manifest.json";
        } catch (IOException e) {
            why = e.getMessage();
        }
        throw new IllegalArgumentException("--out " + out + " exists and is not a bundle (" + why + "); bundle "
                + "create replaces only a bundle: choose another path, or add --force to replace it");
    }

    /**
     * The version a bundle gets without {@code --version}: {@code 1.<sequence>.0}, or
     * {@code 1.0.0+sequence.<sequence>} from 10^9 on, since a version field holds at most 9 digits
     * ({@code --sequence 1700000000} failed "version must be semantic" though no version was given). Devices order
     * bundles by sequence, never by version.
     */
    static String defaultVersion(long sequence) {
        return sequence < 1_000_000_000L ? "1." + sequence + ".0" : "1.0.0+sequence." + sequence;
    }
}

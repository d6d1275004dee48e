package io.edgeloop.cli.bundle;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.api.runtime.ModelRuntime;
import io.edgeloop.api.runtime.ModelRuntimeProvider;
import io.edgeloop.api.spi.ProviderLoader;
import io.edgeloop.api.target.TargetProfile;
import io.edgeloop.api.target.TargetProfiles;
import io.edgeloop.ota.bundle.ArtifactCheck;
import io.edgeloop.ota.bundle.ArtifactEntry;
import io.edgeloop.ota.bundle.BundleVerificationException;
import io.edgeloop.ota.bundle.BundleVerifier;
import io.edgeloop.ota.bundle.VerificationPolicy;
import io.edgeloop.ota.bundle.VerifiedBundle;
import io.edgeloop.ota.trust.TrustException;
import io.edgeloop.ota.trust.TrustRoot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code edgeloop bundle verify}: runs every check a device runs and, when the artifact's runtime is present in
 * this tool, its golden vectors. Exit 0 and a summary when accepted; otherwise exit 1 and one line naming the
 * bundle file and the failed check ({@code bundle refused: FILE: <check>: <what was wrong>}; an unreadable archive
 * also gives the file's size). Verification happens in memory: it writes no file at all.
 *
 * <p>Not thread-safe: one instance per invocation.
 */
@Command(name = "verify", mixinStandardHelpOptions = true,
        description = "Verify a bundle as a device would: signatures, threshold, expiry, model name, sequence, digests, target, golden vectors.")
public final class BundleVerifyCommand implements Callable<Integer> {
    @Spec
    private picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FILE", description = "The bundle.")
    private Path file;

    @Option(names = "--trust", required = true, paramLabel = "TRUST.json", description = "The trust file.")
    private Path trust;

    @Option(names = "--previous", paramLabel = "TRUST.json",
            description = "A trust file the device held before --trust, oldest first (repeat): each must accept the "
                    + "next as a device accepts a rotation. Without it a rotated --trust is checked against its own "
                    + "threshold only.")
    private List<Path> previous = new ArrayList<>();

    @Option(names = "--profile", required = true, paramLabel = "TARGET", description = "The device's target profile: "
            + "avr8, cortex-m0, cortex-m3, cortex-m4f, jvm, or a board's own id supplied by a TargetProfileProvider jar "
            + "on the class path.")
    private String profile;

    @Option(names = "--name", paramLabel = "MODEL",
            description = "The model the device runs: a bundle of another model is refused (model-name).")
    private String name;

    @Option(names = "--min-sequence", defaultValue = "0", paramLabel = "N", description = "Lowest sequence accepted.")
    private long minSequence;

    @Option(names = "--min-epoch", defaultValue = "0", paramLabel = "E", description = "Lowest security epoch accepted.")
    private long minEpoch;

    @Option(names = "--json", description = "Print the result as JSON.")
    private boolean json;

    @Override
    public Integer call() throws Exception {
        if (minSequence < 0) {
            throw new IllegalArgumentException("--min-sequence must be 0 or more, got " + minSequence);
        }
        if (minEpoch < 0) {
            throw new IllegalArgumentException("--min-epoch must be 0 or more, got " + minEpoch);
        }
        TargetProfile target;
        try {
            target = TargetProfiles.load().of(profile);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--profile " + profile + ": " + e.getMessage(), e);
        }
        if (Files.isDirectory(file)) {
            throw new IllegalArgumentException("bundle " + file + " is a directory, not a bundle file");
        }
        TrustRoot t = trustRoot();
        VerificationPolicy.Builder pb = VerificationPolicy.builder().target(target).minimumSequence(minSequence)
                .minimumEpoch(minEpoch);
        if (name != null) {
            pb.modelName(name);
        }
        VerificationPolicy policy = pb.build();
        Map<String, Object> r = new LinkedHashMap<>();
        BundleInput input = BundleInput.read(file); // read whole: a pipe cannot seek
        try {
            VerifiedBundle v = new BundleVerifier(t).verify(input.bytes(), policy);
            ArtifactEntry a = v.selected().orElseThrow();
            String golden = golden(v, a);
            r.put("accepted", true);
            r.put("name", v.manifest().name());
            r.put("version", v.manifest().version());
            r.put("sequence", v.manifest().sequence());
            r.put("securityEpoch", v.manifest().securityEpoch());
            r.put("expiresAt", v.manifest().expiresAt().toString());
            r.put("artifact", a.path());
            r.put("target", a.target());
            r.put("hardwareVariant", a.hardwareVariant());
            r.put("sha256", a.sha256());
            r.put("signatures", v.signers().size());
            r.put("threshold", t.threshold());
            r.put("goldenVectors", golden);
            if (json) {
                spec.commandLine().getOut().println(new ObjectMapper().writeValueAsString(r));
            } else {
                spec.commandLine().getOut().println("accepted: " + r.get("name") + " " + r.get("version") + " (sequence "
                        + r.get("sequence") + ", epoch " + r.get("securityEpoch") + ") artifact " + a.path() + " for "
                        + a.target() + "/" + a.hardwareVariant() + ", " + v.signers().size() + " of " + t.threshold()
                        + " required signatures, golden vectors " + golden);
            }
            return 0;
        } catch (BundleVerificationException e) {
            if (json) {
                r.put("accepted", false);
                r.put("file", file.toString());
                r.put("check", e.check().id());
                r.put("message", e.getMessage());
                spec.commandLine().getOut().println(new ObjectMapper().writeValueAsString(r));
            }
            // every refusal names the file (one of several verified in a script) and, in its message, the check;
            // an archive that cannot be read is a file problem: its size too (a copy cut short)
            throw new VerificationFailed(file + (e.check() == io.edgeloop.ota.bundle.Check.ARCHIVE
                    ? " (" + input.bytes().length + " bytes)" : "") + ": " + e.getMessage());
        }
    }

    /**
     * Reads {@code --trust} and checks its signatures as a device would before adopting it: a rotated file must meet
     * its own threshold, and each {@code --previous} file must accept the next ({@link TrustRoot#acceptRotation},
     * at the next file's creation time, as a device re-verifies its chain; expiry of the last is a bundle check).
     */
    private TrustRoot trustRoot() throws IOException {
        List<Path> files = new ArrayList<>(previous);
        files.add(trust);
        TrustRoot before = null;
        for (Path f : files) {
            TrustRoot r;
            try {
                r = TrustRoot.read(f);
            } catch (TrustException e) {
                throw trustRefused(f, e, e.getMessage()); // read's message names the file already
            }
            try {
                r.requireOwnSignatures();
                if (before != null) {
                    before.acceptRotation(r, r.createdAt());
                }
            } catch (TrustException e) {
                throw trustRefused(f, e, "trust file " + f + " refused: " + e.getMessage());
            }
            before = r;
        }
        return before;
    }

    /**
     * The refusal of a trust file (malformed, edited after signing, a rotation the previous file did not sign); with
     * {@code --json} also the JSON a refused bundle gets, with check {@code trust}, since no bundle check ran.
     */
    private TrustException trustRefused(Path f, TrustException e, String message) throws IOException {
        if (json) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("accepted", false);
            r.put("file", file.toString());
            r.put("check", "trust");
            r.put("trustFile", f.toString());
            r.put("message", message);
            spec.commandLine().getOut().println(new ObjectMapper().writeValueAsString(r));
        }
        return new TrustException(message, e);
    }

    private static String golden(VerifiedBundle v, ArtifactEntry a) throws BundleVerificationException {
        Optional<ModelRuntimeProvider> p = Optional.ofNullable(
                ProviderLoader.of(ModelRuntimeProvider.class).byName().get(a.runtime()));
        if (p.isEmpty()) {
            return "not run (runtime " + a.runtime() + " not installed)";
        }
        ModelRuntime rt = p.get().create(ComponentConfig.empty());
        ArtifactCheck.loadAndCheck(a, v.bytes(a), rt);
        return a.golden().size() + "/" + a.golden().size() + " bit-exact on " + a.runtime() + " " + rt.version();
    }

    /** A refused bundle: the message is the one line naming the failed check. */
    static final class VerificationFailed extends Exception {
        private static final long serialVersionUID = 1L;

        VerificationFailed(String message) {
            super("bundle refused: " + message);
        }
    }
}

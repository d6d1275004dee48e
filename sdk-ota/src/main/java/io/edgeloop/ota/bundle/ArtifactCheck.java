package io.edgeloop.ota.bundle;

import io.edgeloop.api.runtime.IntegerModel;
import io.edgeloop.api.runtime.ModelRuntime;
import java.io.IOException;
import java.util.Objects;
import java.util.Optional;

/**
 * The {@code golden-vectors} check of one artifact: the runtime's version satisfies the artifact's constraint, the
 * runtime loads the bytes, and the loaded model reproduces every golden vector bit-exactly. {@code bundle verify}
 * runs it after the signature checks; {@link BundleAssembler} runs it before signing, so a model directory whose
 * {@code model.json} cannot be loaded (truncated, edited) is refused instead of signed.
 *
 * <p>Thread-safe: stateless (thread safety of the runtime is the runtime's).
 */
public final class ArtifactCheck {
    private ArtifactCheck() {
    }

    /**
     * @param entry   the artifact's manifest entry (runtime constraint and golden vectors)
     * @param bytes   the artifact's bytes
     * @param runtime a runtime of the entry's runtime name
     * @return the loaded model, which passed every golden vector
     * @throws BundleVerificationException {@link Check#RUNTIME} when the runtime's version does not satisfy the
     *                                     entry's constraint; {@link Check#GOLDEN_VECTORS} when the bytes cannot be
     *                                     loaded (message "the runtime cannot load the artifact: ...") or an output
     *                                     differs (the message names the vector)
     */
    public static IntegerModel loadAndCheck(ArtifactEntry entry, byte[] bytes, ModelRuntime runtime)
            throws BundleVerificationException {
        Objects.requireNonNull(entry, "entry");
        Objects.requireNonNull(bytes, "bytes");
        Objects.requireNonNull(runtime, "runtime");
        if (!entry.runtimeVersions().matches(runtime.version())) {
            throw new BundleVerificationException(Check.RUNTIME, "artifact needs " + entry.runtime() + " "
                    + entry.runtimeVersions() + "; this runtime is " + runtime.version());
        }
        IntegerModel loaded;
        try {
            loaded = runtime.load(bytes);
        } catch (IOException | RuntimeException e) { // only the load: a mismatch below is reported as itself
            throw new BundleVerificationException(Check.GOLDEN_VECTORS, "the runtime cannot load the artifact: "
                    + e.getMessage(), e);
        }
        Optional<String> mismatch = entry.golden().firstMismatch(loaded);
        if (mismatch.isPresent()) {
            throw new BundleVerificationException(Check.GOLDEN_VECTORS, mismatch.get());
        }
        return loaded;
    }
}

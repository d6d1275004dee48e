package io.edgeloop.cli.bundle;

import io.edgeloop.ota.trust.KeyAlgorithm;
import io.edgeloop.ota.trust.KeyPairFiles;
import io.edgeloop.ota.trust.SigningKey;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code edgeloop bundle keygen}: writes {@code KEYDIR/private.pem} (PKCS#8) and {@code KEYDIR/public.pem}; run
 * again on a directory where a stopped keygen left {@code private.pem} alone, it writes {@code public.pem} from it
 * and says so; it refuses every other existing state, naming the file ({@link KeyPairFiles#writeOrComplete}).
 *
 * <p>Not thread-safe: one instance per invocation.
 */
@Command(name = "keygen", mixinStandardHelpOptions = true,
        description = "Generate a signing key pair: KEYDIR/private.pem (PKCS#8) and KEYDIR/public.pem.")
public final class BundleKeygenCommand implements Callable<Integer> {
    @Spec
    private picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--alg", required = true, description = "ed25519 or p256")
    private String alg;

    @Option(names = "--out", required = true, paramLabel = "KEYDIR", description = "Directory for the key files.")
    private Path out;

    @Override
    public Integer call() throws Exception {
        KeyAlgorithm a;
        try {
            a = KeyAlgorithm.of(alg);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--alg " + alg + ": " + e.getMessage(), e);
        }
        KeyPairFiles.Outcome o = KeyPairFiles.writeOrComplete(out, a, new SecureRandom());
        SigningKey k = o.key();
        if (o.completed()) {
            // a keygen stopped between its two files: the pair is finished, and no new key was made
            spec.commandLine().getOut().println(out.resolve(KeyPairFiles.PRIVATE_PEM) + " was there without "
                    + KeyPairFiles.PUBLIC_PEM + " (a keygen stopped between its two files?): kept that key and wrote "
                    + out.resolve(KeyPairFiles.PUBLIC_PEM) + " from it; no new key was generated (" + k.algorithm().id()
                    + ", key id " + k.keyId() + ")");
        } else {
            spec.commandLine().getOut().println("wrote " + out.resolve(KeyPairFiles.PRIVATE_PEM) + " and "
                    + out.resolve(KeyPairFiles.PUBLIC_PEM) + " (" + k.algorithm().id() + ", key id " + k.keyId() + ")");
        }
        return 0;
    }
}

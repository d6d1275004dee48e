package io.edgeloop.cli.bundle;

import io.edgeloop.ota.trust.KeyAlgorithm;
import io.edgeloop.ota.trust.SigningKey;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code edgeloop bundle keygen}: writes {@code KEYDIR/private.pem} (PKCS#8) and {@code KEYDIR/public.pem}.
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
        SigningKey k = SigningKey.generate(a, new SecureRandom());
        k.writePemPair(out);
        spec.commandLine().getOut().println("wrote " + out.resolve("private.pem") + " and " + out.resolve("public.pem")
                + " (" + k.algorithm().id() + ", key id " + k.keyId() + ")");
        return 0;
    }
}

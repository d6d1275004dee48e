package io.edgeloop.cli.bundle;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.edgeloop.api.deploy.Publication;
import io.edgeloop.ota.bundle.BundleVerifier;
import io.edgeloop.ota.server.ChannelStore;
import io.edgeloop.ota.server.Withdrawal;
import io.edgeloop.ota.trust.TrustException;
import io.edgeloop.ota.trust.TrustRoot;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code edgeloop bundle withdraw}: the operator's way out of a channel frozen by a publication devices refuse (a
 * bundle signed outside the trust root, published by an update server without one, at a sequence up to 2^63-1):
 * {@link ChannelStore#withdraw} on the store's directory, judged by the devices' trust file. Whoever may write the
 * store's directory may run it; there is no HTTP endpoint. Refusals (a publication the trust file accepts, or may
 * once have accepted; a trust file that accepts none of the channel's bundles, without {@code --leave-empty}: the
 * wrong file would empty a healthy channel; an expired trust file; {@code --previous} files that are not the
 * rotations up to it; nothing published) exit 1 with one line and change nothing.
 *
 * <p>Not thread-safe: one instance per invocation.
 */
@Command(name = "withdraw", mixinStandardHelpOptions = true,
        description = "Take a channel's latest publication off an update server's store when the devices' trust "
                + "file shows no device can have accepted it, and publish the channel's latest trusted bundle again.")
public final class BundleWithdrawCommand implements Callable<Integer> {
    @Spec
    private picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--store", required = true, paramLabel = "DIR", description = "The update server's store root.")
    private Path store;

    @Option(names = "--channel", required = true, paramLabel = "CHANNEL", description = "The frozen channel.")
    private String channel;

    @Option(names = "--trust", required = true, paramLabel = "TRUST.json", description = "The devices' trust file "
            + "(their newest: a key only a newer file lists looks like a stranger's).")
    private Path trust;

    @Option(names = "--previous", paramLabel = "TRUST.json", description = "An earlier trust file of the devices "
            + "(repeat, oldest first, each rotated into the next, the last into --trust): a bundle any of them may "
            + "have accepted counts as one devices may have installed. Needed when a rotation removed a key rather "
            + "than revoking it.")
    private List<Path> previous = new ArrayList<>();

    @Option(names = "--leave-empty", description = "Withdraw even when the trust file accepts none of the channel's "
            + "stored bundles of the model, leaving the channel publishing nothing: only for a channel whose bad "
            + "bundle is the only one ever stored, after checking that the trust file is the devices' (a wrong one "
            + "sees every bundle as unknown-key).")
    private boolean leaveEmpty;

    @Option(names = "--json", description = "Print the result as JSON.")
    private boolean json;

    @Override
    public Integer call() throws Exception {
        if (!Files.isDirectory(store.resolve("channels"), LinkOption.NOFOLLOW_LINKS)) {
            // ChannelStore creates a missing root: a mistyped --store must not become an empty store
            throw new IllegalArgumentException("--store " + store + " is not a channel store (no channels/ in it)");
        }
        TrustRoot t = TrustRoot.read(trust);
        try {
            t.requireOwnSignatures();
        } catch (TrustException e) {
            throw new TrustException("trust file " + trust + " refused: " + e.getMessage(), e);
        }
        List<TrustRoot> earlier = new ArrayList<>();
        for (Path p : previous) {
            earlier.add(TrustRoot.read(p));
        }
        Withdrawal w = new ChannelStore(store, new BundleVerifier(t)).withdraw(channel, leaveEmpty, earlier);
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("channel", channel);
        r.put("withdrawn", describe(w.withdrawn()));
        r.put("check", w.refusedBy().id());
        r.put("movedTo", w.movedTo().toString());
        r.put("latest", w.restored().map(BundleWithdrawCommand::describe).orElse(null));
        if (json) {
            spec.commandLine().getOut().println(new ObjectMapper().writeValueAsString(r));
        } else {
            Publication p = w.withdrawn();
            spec.commandLine().getOut().println("withdrew " + p.name() + " sequence " + p.sequence() + " from channel "
                    + channel + " (" + w.refusedBy().id() + "); its bundle is in " + w.movedTo() + "; channel "
                    + channel + " now publishes " + w.restored().map(x -> x.name() + " sequence " + x.sequence())
                            .orElse("nothing"));
        }
        return 0;
    }

    private static Map<String, Object> describe(Publication p) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", p.name());
        m.put("sequence", p.sequence());
        m.put("sha256", p.sha256());
        return m;
    }
}

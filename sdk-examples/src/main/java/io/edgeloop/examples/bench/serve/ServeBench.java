package io.edgeloop.examples.bench.serve;

import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.api.deploy.Deployer;
import io.edgeloop.api.deploy.DeployerProvider;
import io.edgeloop.api.deploy.Publication;
import io.edgeloop.api.provenance.Sha256;
import io.edgeloop.api.spi.ProviderLoader;
import io.edgeloop.api.target.TargetProfile;
import io.edgeloop.examples.bench.drain.DrainBench;
import io.edgeloop.examples.http.TcpNoDelay;
import io.edgeloop.ota.bundle.ArtifactEntry;
import io.edgeloop.ota.bundle.BundleManifest;
import io.edgeloop.ota.bundle.BundleWriter;
import io.edgeloop.ota.bundle.GoldenVectors;
import io.edgeloop.ota.server.ChannelStore;
import io.edgeloop.ota.trust.KeyAlgorithm;
import io.edgeloop.ota.trust.SigningKey;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The harness behind {@code edgeloop bench serve}: polls/s of a device polling an update server back to back, with
 * TCP_NODELAY on the server's connections (what {@code bundle serve} does since {@link TcpNoDelay}) and off (the
 * JDK's default, what it did before), side by side in one run.
 *
 * <p>Each server is a real {@code edgeloop bundle serve --no-verify} in a JVM of its own, started with
 * {@code -D}{@value TcpNoDelay#PROPERTY}{@code =true} or {@code =false} (the JDK reads the property once per JVM, so
 * the two cannot share one), on one store holding one small published bundle. The poll is the device's own: the
 * {@code http} deployer's {@code latest(channel)}, one {@code GET /channels/<channel>/latest} answered with the
 * publication JSON (a few hundred bytes), every poll on the deployer's kept connection. Within a repetition the two
 * servers are polled back to back, in an order that rotates per repetition; the ratio is taken per repetition.
 *
 * <p>Not thread-safe: one run at a time.
 */
public final class ServeBench {
    /** The channel the bench publishes on and polls. */
    static final String CHANNEL = "stable";
    private static final int SERVERS = 2;

    private final Settings settings;

    /**
     * The bench's settings.
     *
     * @param polls     timed polls per server and repetition
     * @param repeat    repetitions
     * @param warmup    untimed polls per server before the first repetition
     * @param gapMillis pause before each poll (not timed), 0 for back to back
     * @param cliMain   the class whose {@code main} runs {@code edgeloop} ({@code io.edgeloop.cli.Edgeloop}), on this
     *                  JVM's class path
     * @param work      a scratch directory, deleted by the caller
     *
     * <p>Immutable; thread-safe.
     */
    public record Settings(int polls, int repeat, int warmup, int gapMillis, String cliMain, Path work) {
        /** Checks the references. */
        public Settings {
            Objects.requireNonNull(cliMain, "cliMain");
            Objects.requireNonNull(work, "work");
        }
    }

    /**
     * One server's figures over the repetitions.
     *
     * @param noDelay         whether the server set TCP_NODELAY
     * @param pollsPerSec     polls/s of each repetition (over the polls' own time, gaps excluded), in run order
     * @param medianPollMillis the median time of one poll in each repetition
     *
     * <p>Immutable (the arrays are copied in and out); thread-safe.
     */
    public record ServerResult(boolean noDelay, double[] pollsPerSec, double[] medianPollMillis) {
        /** Copies the arrays. */
        public ServerResult {
            pollsPerSec = pollsPerSec.clone();
            medianPollMillis = medianPollMillis.clone();
        }

        @Override
        public double[] pollsPerSec() {
            return pollsPerSec.clone();
        }

        @Override
        public double[] medianPollMillis() {
            return medianPollMillis.clone();
        }
    }

    /**
     * Creates the bench.
     *
     * @param settings its settings
     */
    public ServeBench(Settings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    /**
     * Publishes the bundle, starts both servers and polls them.
     *
     * @return two results: TCP_NODELAY on, then off
     * @throws Exception when a server does not start or a poll fails
     */
    public List<ServerResult> run() throws Exception {
        Path store = settings.work().resolve("store");
        publishOne(store);
        List<ServerProcess> servers = new ArrayList<>();
        List<Deployer> devices = new ArrayList<>();
        try {
            for (boolean noDelay : new boolean[] {true, false}) {
                ServerProcess s = ServerProcess.start(settings.cliMain(), store, noDelay,
                        settings.work().resolve("serve-nodelay-" + noDelay + ".log"));
                servers.add(s);
                devices.add(ProviderLoader.of(DeployerProvider.class).select("http")
                        .create(ComponentConfig.builder().put("url", s.url()).build()));
            }
            for (Deployer d : devices) {
                poll(d, settings.warmup(), null);
            }
            double[][] rate = new double[SERVERS][settings.repeat()];
            double[][] median = new double[SERVERS][settings.repeat()];
            for (int rep = 0; rep < settings.repeat(); rep++) {
                for (int k = 0; k < SERVERS; k++) {
                    int i = (k + rep) % SERVERS;
                    double[] millis = new double[settings.polls()];
                    poll(devices.get(i), settings.polls(), millis);
                    rate[i][rep] = settings.polls() / (Arrays.stream(millis).sum() / 1000);
                    median[i][rep] = DrainBench.median(millis);
                }
            }
            return List.of(new ServerResult(true, rate[0], median[0]), new ServerResult(false, rate[1], median[1]));
        } finally {
            for (Deployer d : devices) {
                d.close();
            }
            for (ServerProcess s : servers) {
                s.close();
            }
        }
    }

    /** Polls {@code n} times; each poll's milliseconds go to {@code millis} when given. */
    private void poll(Deployer device, int n, double[] millis) throws Exception {
        for (int p = 0; p < n; p++) {
            if (settings.gapMillis() > 0) {
                Thread.sleep(settings.gapMillis());
            }
            long start = System.nanoTime();
            Optional<Publication> latest = device.latest(CHANNEL);
            long took = System.nanoTime() - start;
            if (latest.isEmpty()) {
                throw new IllegalStateException("the server answered that nothing is published on " + CHANNEL);
            }
            if (millis != null) {
                millis[p] = took / 1e6;
            }
        }
    }

    /** A store with one small bundle published on {@link #CHANNEL}: the servers only answer polls, never verify. */
    private static void publishOne(Path root) throws IOException {
        SigningKey key = SigningKey.generate(KeyAlgorithm.ED25519, new SecureRandom());
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        byte[] payload = new byte[1024];
        String path = "artifacts/jvm/model.bin";
        BundleManifest m = BundleManifest.builder().name("bench").version("1.0.0").sequence(1).createdAt(now)
                .expiresAt(now.plus(Duration.ofDays(1)))
                .artifact(ArtifactEntry.builder().path(path).sha256(Sha256.hex(payload)).size(payload.length)
                        .target("jvm").hardwareVariant(TargetProfile.JVM.hardwareVariant()).inputSize(1).outputSize(1)
                        .golden(new GoldenVectors(new int[][] {{1}}, new int[][] {{1}})).build())
                .build();
        Path bundle = root.resolveSibling("bench-1.bundle");
        BundleWriter.write(m, Map.of(path, payload), List.of(key), false, bundle);
        ChannelStore.withoutVerification(root).publish(bundle, CHANNEL);
    }

    /** An {@code edgeloop bundle serve} in a JVM of its own, stopped by SIGTERM on close. */
    private static final class ServerProcess implements AutoCloseable {
        private final Process process;
        private final String url;

        private ServerProcess(Process process, String url) {
            this.process = process;
            this.url = url;
        }

        static ServerProcess start(String cliMain, Path store, boolean noDelay, Path log) throws IOException {
            List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-D" + TcpNoDelay.PROPERTY + "=" + noDelay, "-cp", System.getProperty("java.class.path"),
                    cliMain, "bundle", "serve", "--store", store.toString(), "--no-verify", "--port", "0");
            Process p = new ProcessBuilder(cmd).redirectError(log.toFile()).start();
            try {
                BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(),
                        StandardCharsets.UTF_8));
                String first = r.readLine(); // the URL, or null when the server ended
                if (first == null || !first.startsWith("http://")) {
                    throw new IOException("bundle serve (nodelay " + noDelay + ") did not start: it printed '" + first
                            + "'; its log " + log + ": " + String.join(" | ", tail(log)));
                }
                return new ServerProcess(p, first.trim());
            } catch (IOException | RuntimeException e) {
                p.destroyForcibly();
                throw e;
            }
        }

        private static List<String> tail(Path log) {
            try {
                List<String> lines = Files.readAllLines(log);
                return lines.subList(Math.max(0, lines.size() - 5), lines.size());
            } catch (IOException e) {
                return List.of("(unreadable: " + e.getMessage() + ")");
            }
        }

        String url() {
            return url;
        }

        @Override
        public void close() {
            process.destroy(); // SIGTERM: bundle serve stops and closes its server
            try {
                if (!process.waitFor(30, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * The report: per server its median polls/s with range and per-repetition figures and its median ms per poll,
     * and the ratio of the TCP_NODELAY server's polls/s to the other's, paired per repetition.
     *
     * @param results the results of {@link #run()}
     * @return a JSON-ready map
     */
    public Map<String, Object> report(List<ServerResult> results) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("polls", settings.polls());
        doc.put("repetitions", settings.repeat());
        doc.put("warmupPolls", settings.warmup());
        doc.put("gapMillis", settings.gapMillis());
        List<Map<String, Object>> rows = new ArrayList<>();
        for (ServerResult r : results) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("server", r.noDelay() ? "nodelay on" : "nodelay off");
            m.put("pollsPerSec", round2(DrainBench.median(r.pollsPerSec())));
            m.put("minPollsPerSec", round2(Arrays.stream(r.pollsPerSec()).min().orElseThrow()));
            m.put("maxPollsPerSec", round2(Arrays.stream(r.pollsPerSec()).max().orElseThrow()));
            m.put("msPerPoll", round2(DrainBench.median(r.medianPollMillis())));
            m.put("perRepetition", Arrays.stream(r.pollsPerSec()).map(ServeBench::round2).boxed().toList());
            rows.add(m);
        }
        doc.put("results", rows);
        double[] per = new double[settings.repeat()];
        for (int i = 0; i < per.length; i++) {
            per[i] = results.get(0).pollsPerSec()[i] / results.get(1).pollsPerSec()[i];
        }
        Map<String, Object> ratio = new LinkedHashMap<>();
        ratio.put("ratio", round2(DrainBench.median(per)));
        ratio.put("min", round2(Arrays.stream(per).min().orElseThrow()));
        ratio.put("max", round2(Arrays.stream(per).max().orElseThrow()));
        ratio.put("perRepetition", Arrays.stream(per).map(ServeBench::round2).boxed().toList());
        doc.put("nodelayOnVsOff", ratio);
        doc.put("ratioMethod", "per repetition, the two servers are polled back to back in a rotating order; ratio ="
                + " the median of the per-repetition ratios of polls/s (nodelay on / off), min/max their range");
        return doc;
    }

    private static double round2(double v) {
        return Math.round(v * 100) / 100.0;
    }
}

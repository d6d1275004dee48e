package io.edgeloop.examples.ota;

import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.api.deploy.Deployer;
import io.edgeloop.api.deploy.DeployerProvider;
import io.edgeloop.api.deploy.DeploymentException;
import io.edgeloop.api.quantize.QuantizationRequest;
import io.edgeloop.api.quantize.QuantizerProvider;
import io.edgeloop.api.runtime.ModelRuntime;
import io.edgeloop.api.runtime.ModelRuntimeProvider;
import io.edgeloop.api.spi.ProviderLoader;
import io.edgeloop.api.target.TargetProfile;
import io.edgeloop.examples.http.TcpNoDelay;
import io.edgeloop.ota.agent.DeviceAgent;
import io.edgeloop.ota.agent.FileDeviceStorage;
import io.edgeloop.ota.agent.HealthCheck;
import io.edgeloop.ota.agent.InstallOutcome;
import io.edgeloop.ota.agent.InstallReport;
import io.edgeloop.ota.bundle.BundleAssembler;
import io.edgeloop.ota.bundle.BundleManifest;
import io.edgeloop.ota.bundle.BundleVerifier;
import io.edgeloop.ota.rollout.Campaign;
import io.edgeloop.ota.rollout.CampaignState;
import io.edgeloop.ota.rollout.DeviceResult;
import io.edgeloop.ota.rollout.FleetDevice;
import io.edgeloop.ota.rollout.RolloutPlan;
import io.edgeloop.ota.rollout.WaveExecutor;
import io.edgeloop.ota.rollout.WaveReport;
import io.edgeloop.ota.server.ChannelStore;
import io.edgeloop.ota.server.UpdateServer;
import io.edgeloop.ota.trust.KeyAlgorithm;
import io.edgeloop.ota.trust.SigningKey;
import io.edgeloop.ota.trust.TrustRoot;
import io.edgeloop.quantize.runtime.IntModel;
import io.edgeloop.quantize.train.CsvData;
import io.edgeloop.quantize.train.TribuoTraining;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Example app: a real rollout to a mixed fleet, the program a fleet operator copies. Everything is real except the
 * devices' hardware: Ed25519 signatures, an {@link UpdateServer} on loopback that holds the devices' trust root and
 * a publish token, bundles built from models trained and quantized on the shipped occupancy data (int8 for
 * {@code avr8}, int16 for {@code cortex-m3}, as {@code edgeloop quantize} and {@code edgeloop bundle create} build
 * them), and one {@link DeviceAgent} per device with its own A/B storage ({@link FileDeviceStorage}) polling the
 * server through the {@code http} deployer. The story:
 * <ol>
 *   <li>a release key and a trust file (1 of 1) are created; the server starts with the trust file;</li>
 *   <li>v1 (sequence 1) is published and every device polls and installs it;</li>
 *   <li>v2 (sequence 2, retrained with more data) goes out in waves with a {@link Campaign}, canary first: the
 *       campaign tells each wave's devices to poll;</li>
 *   <li>v3 (sequence 3) was trained on flipped labels. Every artifact passes its golden vectors (they only prove
 *       the device computes what the quantizer computed), but the devices' health check, the accuracy on their
 *       recent labelled readings, fails: the canary devices roll back to v2 by themselves and the campaign halts
 *       before any other device is reached;</li>
 *   <li>the fix goes out as v4 (v2's model signed again as sequence 4: a sequence is never reused, and devices
 *       that attempted 3 accept only 4 and above);</li>
 *   <li>anti-rollback: the server refuses v1 published again (HTTP 409, not newer than the channel) and a bundle
 *       signed with a key outside the trust root (HTTP 422, {@code unknown-key}); a device handed v1 directly
 *       refuses it ({@code rollback}).</li>
 * </ol>
 * A shadow gate ({@link RolloutPlan.Builder#minShadowAgreement}, used by the demo's rollout) would stop a model like
 * v3 before any device switches; this example leaves it off to show the devices' own rollback.
 *
 * <p>Run: {@code java -cp sdk-examples/target/edgeloop.jar io.edgeloop.examples.ota.FleetRolloutExample [--keep]
 * [DIR]}. Each run works in a new directory under {@code DIR} (default: the system temp directory) and prints it: a
 * run's keys, server store and devices are its own, so running it again starts from nothing (the store of a previous
 * run holds v1 to v4, which would refuse the new v1 with 409, and its release key is never overwritten). The
 * directory (about 1 MB, with the run's release private key) is deleted when the run ends, unless {@code --keep}
 * is given to look at the store, the devices' slots and the key afterwards.
 *
 * <p>Not thread-safe: call from one thread.
 */
public final class FleetRolloutExample {
    /** The model name every bundle carries. */
    public static final String MODEL = "occupancy";
    /** The channel the fleet polls. */
    public static final String CHANNEL = "stable";
    /** The hardware variants of the fleet and the scheme each is quantized with. */
    static final Map<String, String> VARIANTS = Map.of("avr8", "int8", "cortex-m3", "int16");
    /** The health check's bar: accuracy on the device's recent labelled readings. */
    static final double MIN_HEALTHY_ACCURACY = 0.9;
    private static final String DATA = "io/edgeloop/examples/data/occupancy/";
    /** Held strongly: java.util.logging keeps loggers weakly, and a collected logger forgets its level. */
    private static final Logger TRIBUO_LOG = Logger.getLogger("org.tribuo");

    private FleetRolloutExample() {
    }

    /**
     * One device's history.
     *
     * <p>Thread-safe: immutable.
     *
     * @param id         the device id
     * @param target     its target profile id
     * @param sequences  the active sequence after each release's rollout ({@code v1}, {@code v2}, {@code v3},
     *                   {@code v4}), -1 when none
     * @param v3Outcome  how its install of v3 ended, empty when the halted campaign did not reach it
     * @param v1Replayed how it answered v1 handed to it after v4 (the failed check, e.g. {@code rollback})
     */
    public record DeviceHistory(String id, String target, Map<String, Long> sequences,
            Optional<InstallOutcome> v3Outcome, InstallReport v1Replayed) {
    }

    /**
     * What happened.
     *
     * <p>Thread-safe: immutable.
     *
     * @param devices          every device's history, by id
     * @param campaigns        each campaign's end state by release ({@code v2}, {@code v3}, {@code v4})
     * @param v3HaltReason     why the v3 campaign halted
     * @param serverRefusedV1  the server's refusal of v1 published after v4
     * @param serverRefusedForeignKey the server's refusal of a bundle signed outside the trust root
     */
    public record Result(Map<String, DeviceHistory> devices, Map<String, CampaignState> campaigns,
            String v3HaltReason, String serverRefusedV1, String serverRefusedForeignKey) {
    }

    /**
     * Runs the example in a new directory under the given one, deleted at the end unless {@code --keep}.
     *
     * @param args {@code [--keep] [DIR]}: keep the run's directory; where to make it (default: the system temp
     *             directory)
     * @throws Exception when it fails
     */
    public static void main(String[] args) throws Exception {
        boolean keep = false;
        Path base = Path.of(System.getProperty("java.io.tmpdir"));
        int dirs = 0;
        for (String a : args) {
            if (a.equals("--keep")) {
                keep = true;
            } else if (a.startsWith("-") || dirs++ > 0) {
                System.err.println("usage: FleetRolloutExample [--keep] [DIR] (unexpected argument '" + a + "')");
                System.exit(2);
            } else {
                base = Path.of(a);
            }
        }
        TRIBUO_LOG.setLevel(Level.WARNING); // its training progress, one INFO line per 1000 steps
        TcpNoDelay.enable(); // before the UpdateServer starts: each poll's answer then leaves at once, not ~40 ms later
        runIn(base, 4, 1, keep, System.out);
    }

    /**
     * Runs the example in a new directory under {@code base}, named {@code edgeloop-fleet-<random>} and printed
     * first, so every run starts from nothing.
     *
     * @param base              where to make the run's directory (created when missing)
     * @param devicesPerVariant devices of each hardware variant (at least 2)
     * @param seed              training and wave assignment
     * @param keep              keep the run's directory (it holds the run's release private key); else it is
     *                          deleted when the run ends, whether it succeeded or not, and the last line says so
     * @param out               where to print what happens
     * @return what happened
     * @throws Exception when a step fails
     */
    public static Result runIn(Path base, int devicesPerVariant, long seed, boolean keep, PrintStream out)
            throws Exception {
        Path dir = Files.createTempDirectory(Files.createDirectories(base), "edgeloop-fleet-");
        out.printf(Locale.ROOT, "working directory %s%n", dir);
        try {
            return run(dir, devicesPerVariant, seed, out);
        } finally {
            if (keep) {
                out.printf(Locale.ROOT, "kept %s (--keep): it holds the release private key; delete it when done%n",
                        dir);
            } else {
                // a failure to delete is said, not thrown: thrown from here it would replace run()'s own exception
                try (java.util.stream.Stream<Path> s = Files.walk(dir)) {
                    for (Path p : (Iterable<Path>) s.sorted(java.util.Comparator.reverseOrder())::iterator) {
                        Files.delete(p);
                    }
                    out.printf(Locale.ROOT, "deleted %s (--keep keeps it)%n", dir);
                } catch (IOException | java.io.UncheckedIOException e) {
                    out.printf(Locale.ROOT, "could not delete %s (%s): delete it by hand; it holds the release "
                            + "private key%n", dir, e.getMessage());
                }
            }
        }
    }

    /**
     * Runs the example in {@code dir}, which must be empty or missing: a previous run's store and devices would
     * refuse this run's releases ({@link #runIn} makes a new directory per run).
     *
     * @param dir               working directory: keys, trust file, releases, the server's store, the devices'
     *                          storage; empty or missing
     * @param devicesPerVariant devices of each hardware variant (at least 2)
     * @param seed              training and wave assignment
     * @param out               where to print what happens
     * @return what happened
     * @throws IllegalArgumentException when {@code dir} is not empty (nothing in it is changed)
     * @throws Exception                when a step fails
     */
    public static Result run(Path dir, int devicesPerVariant, long seed, PrintStream out) throws Exception {
        if (devicesPerVariant < 2) {
            throw new IllegalArgumentException("devicesPerVariant must be at least 2, got " + devicesPerVariant);
        }
        Files.createDirectories(dir);
        try (java.util.stream.Stream<Path> entries = Files.list(dir)) {
            if (entries.findAny().isPresent()) {
                throw new IllegalArgumentException("working directory " + dir + " is not empty (a previous run's "
                        + "keys, update server store and devices?): the example starts from nothing, so give it an "
                        + "empty or new directory (main makes a new one per run)");
            }
        }
        SecureRandom random = new SecureRandom();
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);

        // 1. The release key (keep private.pem offline) and the trust file every device and the server hold.
        SigningKey key = SigningKey.generate(KeyAlgorithm.ED25519, random);
        key.writePemPair(dir.resolve("release-key"));
        Path trustFile = dir.resolve("trust.json");
        TrustRoot.builder().version(1).createdAt(now).expiresAt(now.plus(Duration.ofDays(365))).threshold(1)
                .key(key.publicKey()).build().signedBy(key).write(trustFile);
        TrustRoot trust = TrustRoot.read(trustFile);
        out.printf(Locale.ROOT, "release key %s... (Ed25519) in %s; trust file %s (1 of 1)%n",
                key.publicKey().keyId().substring(0, 12), dir.resolve("release-key"), trustFile);

        // 2. Releases: train, quantize per variant, bundle and sign, as train / quantize / bundle create do.
        byte[] training = resource("datatraining.txt");
        CsvData train = CsvData.read(Path.of("datatraining.txt"), training, "Occupancy", Set.of("date"));
        CsvData more = CsvData.read(Path.of("datatest2.txt"), resource("datatest2.txt"), "Occupancy", Set.of("date"));
        CsvData flipped = CsvData.read(Path.of("datatraining.txt"), flipLabels(training), "Occupancy",
                Set.of("date"));
        CsvData recent = CsvData.read(Path.of("datatest.txt"), resource("datatest.txt"), "Occupancy", Set.of("date"));
        Path releases = dir.resolve("releases");
        List<Path> v1Models = models(releases.resolve("v1"), train, train, seed);
        List<Path> v2Models = models(releases.resolve("v2"), train.concat(more), train, seed);
        List<Path> v3Models = models(releases.resolve("v3"), flipped, train, seed);
        Path v1 = bundle(key, v1Models, 1, releases.resolve(MODEL + "-1.bundle"), out, "v1");
        Path v2 = bundle(key, v2Models, 2, releases.resolve(MODEL + "-2.bundle"), out, "v2, retrained with more data");
        Path v3 = bundle(key, v3Models, 3, releases.resolve(MODEL + "-3.bundle"), out, "v3, trained on flipped labels");
        Path v4 = bundle(key, v2Models, 4, releases.resolve(MODEL + "-4.bundle"), out, "v4, v2's model signed again");
        SigningKey stranger = SigningKey.generate(KeyAlgorithm.ED25519, random);
        Path foreign = bundle(stranger, v2Models, 5, releases.resolve("foreign-5.bundle"), out,
                "a bundle signed with a key outside the trust file");

        // 3. The update server: verifies every upload with the devices' trust root; publishing needs the token.
        byte[] secret = new byte[16];
        random.nextBytes(secret);
        String token = HexFormat.of().formatHex(secret); // keep it in a file only the publishers read
        ChannelStore store = new ChannelStore(dir.resolve("server"), new BundleVerifier(trust));
        try (UpdateServer server = new UpdateServer(store, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                64L << 20, Optional.of(token));
                Deployer publisher = http(server.url(), Optional.of(token))) {
            out.printf(Locale.ROOT, "update server %s: store %s, trust root %s, publish token required%n",
                    server.url(), store.root(), trustFile);

            // 4. The fleet: one agent per device, each with its own storage and its own http deployer.
            ModelRuntime runtime = ProviderLoader.of(ModelRuntimeProvider.class).select("edgeloop-int")
                    .create(ComponentConfig.empty());
            HealthCheck health = accuracyOn(recent, MIN_HEALTHY_ACCURACY);
            Map<String, Device> fleet = new LinkedHashMap<>();
            for (String variant : List.of("avr8", "cortex-m3")) {
                for (int i = 1; i <= devicesPerVariant; i++) {
                    Device d = new Device(variant + "-" + i, TargetProfile.of(variant), dir.resolve("devices"),
                            trust, runtime, health, server.url());
                    fleet.put(d.id, d);
                }
            }
            Map<String, Map<String, Long>> sequences = new LinkedHashMap<>();
            fleet.keySet().forEach(id -> sequences.put(id, new LinkedHashMap<>()));

            publish(publisher, v1, out);
            for (Device d : fleet.values()) {
                InstallReport r = d.agent.poll(d.deployer, CHANNEL);
                if (r.outcome() != InstallOutcome.INSTALLED) {
                    throw new IOException(d.id + " did not install v1: " + r.message());
                }
            }
            out.printf(Locale.ROOT, "v1: %d devices polled %s and installed it%n", fleet.size(), CHANNEL);
            note(fleet, sequences, "v1");

            Map<String, CampaignState> campaigns = new LinkedHashMap<>();
            publish(publisher, v2, out);
            Campaign c2 = campaign(fleet, v2, trust, seed, out, "v2");
            campaigns.put("v2", c2.state());
            note(fleet, sequences, "v2");

            publish(publisher, v3, out);
            PollingWaves v3Waves = new PollingWaves(fleet, out);
            Campaign c3 = campaign(fleet, v3Waves, v3, trust, seed, out, "v3");
            campaigns.put("v3", c3.state());
            note(fleet, sequences, "v3");

            publish(publisher, v4, out);
            Campaign c4 = campaign(fleet, v4, trust, seed, out, "v4");
            campaigns.put("v4", c4.state());
            note(fleet, sequences, "v4");

            // 6. Anti-rollback, at the server and on the devices.
            String refusedV1 = refusal(publisher, v1, out, "v1 published again");
            String refusedForeign = refusal(publisher, foreign, out, "the bundle signed outside the trust file");
            byte[] v1Bytes = Files.readAllBytes(v1);
            Map<String, DeviceHistory> histories = new LinkedHashMap<>();
            for (Device d : fleet.values()) {
                InstallReport replay = d.agent.install(v1Bytes);
                histories.put(d.id, new DeviceHistory(d.id, d.target.id(), Map.copyOf(sequences.get(d.id)),
                        Optional.ofNullable(v3Waves.outcomes.get(d.id)), replay));
            }
            long refusedReplays = histories.values().stream()
                    .filter(h -> h.v1Replayed().outcome() == InstallOutcome.REFUSED).count();
            out.printf(Locale.ROOT, "v1 handed to every device directly: %d of %d refused it (%s)%n", refusedReplays,
                    fleet.size(), histories.values().iterator().next().v1Replayed().message());
            for (Device d : fleet.values()) {
                d.deployer.close();
            }
            out.printf(Locale.ROOT, "fleet now: %s%n", summary(fleet));
            return new Result(histories, campaigns, c3.haltReason().orElse(""), refusedV1, refusedForeign);
        }
    }

    /** A device: its agent, storage and deployer. */
    private static final class Device {
        final String id;
        final TargetProfile target;
        final DeviceAgent agent;
        final Deployer deployer;

        Device(String id, TargetProfile target, Path devices, TrustRoot trust, ModelRuntime runtime,
                HealthCheck health, String url) throws IOException {
            this.id = id;
            this.target = target;
            Path home = devices.resolve(id);
            this.agent = DeviceAgent.builder().deviceId(id).model(MODEL).target(target).trust(trust)
                    .storage(new FileDeviceStorage(home.resolve("state"))).staging(home.resolve("downloads"))
                    .runtimes(name -> {
                        if (!"edgeloop-int".equals(name)) {
                            throw new IllegalArgumentException("no runtime '" + name + "' on " + id);
                        }
                        return runtime;
                    }).healthCheck(health).open();
            this.deployer = http(url, Optional.empty());
        }
    }

    /**
     * Delivers a wave by telling its devices to poll the channel now (a real fleet's devices poll on their own
     * schedule; here the campaign decides when), and keeps each device's outcome.
     */
    private static final class PollingWaves implements WaveExecutor {
        private final Map<String, Device> fleet;
        private final PrintStream out;
        final Map<String, InstallOutcome> outcomes = new HashMap<>();

        PollingWaves(Map<String, Device> fleet, PrintStream out) {
            this.fleet = fleet;
            this.out = out;
        }

        @Override
        public Map<String, DeviceResult> update(List<FleetDevice> wave, Duration timeout) {
            Map<String, DeviceResult> results = new HashMap<>();
            for (FleetDevice fd : wave) {
                Device d = fleet.get(fd.id());
                try {
                    InstallReport r = d.agent.poll(d.deployer, CHANNEL);
                    outcomes.put(d.id, r.outcome());
                    if (r.outcome() != InstallOutcome.INSTALLED) {
                        out.printf(Locale.ROOT, "  %s: %s: %s%n", d.id, r.outcome().name().toLowerCase(Locale.ROOT)
                                .replace('_', ' '), r.message());
                    }
                    results.put(d.id, r.outcome() == InstallOutcome.INSTALLED ? DeviceResult.OK
                            : DeviceResult.failed(r.outcome() + ": " + r.message()));
                } catch (IOException e) {
                    out.printf(Locale.ROOT, "  %s: poll failed: %s%n", d.id, e.getMessage());
                    results.put(d.id, DeviceResult.failed("poll failed: " + e.getMessage()));
                }
            }
            return results;
        }

        @Override
        public Map<String, Double> shadow(List<FleetDevice> devices, Duration timeout) {
            return Map.of(); // no shadow gate in this plan
        }
    }

    private static Campaign campaign(Map<String, Device> fleet, Path bundle, TrustRoot trust, long seed,
            PrintStream out, String release) throws IOException {
        return campaign(fleet, new PollingWaves(fleet, out), bundle, trust, seed, out, release);
    }

    /** Rolls the bundle out in waves (canary, half, all) and prints each wave's decision. */
    private static Campaign campaign(Map<String, Device> fleet, PollingWaves executor, Path bundle, TrustRoot trust,
            long seed, PrintStream out, String release) throws IOException {
        BundleManifest manifest = new BundleVerifier(trust).verify(bundle,
                io.edgeloop.ota.bundle.VerificationPolicy.builder().build()).manifest();
        List<FleetDevice> devices = fleet.values().stream().map(d -> FleetDevice.of(d.id, d.target)).toList();
        RolloutPlan plan = RolloutPlan.builder().waves(List.of(0.25, 0.5, 1.0)).maxFailureRate(0.25)
                .minSuccessRate(0.75).deviceTimeout(Duration.ofMinutes(2)).seed(seed).build();
        Campaign campaign = new Campaign(plan, devices, executor, Campaign.artifactKeys(manifest));
        campaign.run();
        for (WaveReport w : campaign.reports()) {
            out.printf(Locale.ROOT, "%s wave %d: %d devices, %d switched, %d failed -> %s%n", release, w.index() + 1,
                    w.devices(), w.succeeded(), w.failed(), w.decision());
        }
        out.printf(Locale.ROOT, "%s campaign %s%s; fleet: %s%n", release,
                campaign.state().name().toLowerCase(Locale.ROOT),
                campaign.haltReason().map(r -> " (" + r + ")").orElse(""), summary(fleet));
        return campaign;
    }

    /** How many devices run each sequence, e.g. {@code 6 on sequence 2, 2 on sequence 1}. */
    private static String summary(Map<String, Device> fleet) {
        Map<Long, Integer> bySequence = new java.util.TreeMap<>(java.util.Comparator.reverseOrder());
        for (Device d : fleet.values()) {
            bySequence.merge(d.agent.status().activeSequence(), 1, Integer::sum);
        }
        List<String> parts = new ArrayList<>();
        bySequence.forEach((s, n) -> parts.add(n + " on sequence " + s));
        return String.join(", ", parts);
    }

    private static void note(Map<String, Device> fleet, Map<String, Map<String, Long>> sequences, String release) {
        for (Device d : fleet.values()) {
            sequences.get(d.id).put(release, d.agent.status().activeSequence());
        }
    }

    private static void publish(Deployer publisher, Path bundle, PrintStream out) throws DeploymentException {
        var p = publisher.publish(bundle, CHANNEL);
        out.printf(Locale.ROOT, "published %s sequence %d on %s (%d bytes)%n", bundle.getFileName(), p.sequence(),
                p.channel(), p.sizeBytes());
    }

    /** Publishes a bundle the server must refuse; returns the refusal. */
    private static String refusal(Deployer publisher, Path bundle, PrintStream out, String what) throws IOException {
        try {
            publisher.publish(bundle, CHANNEL);
        } catch (DeploymentException e) {
            out.printf(Locale.ROOT, "server refused %s: %s%n", what, e.getMessage());
            return e.getMessage();
        }
        throw new IOException("the update server accepted " + what);
    }

    private static Deployer http(String url, Optional<String> token) {
        ComponentConfig.Builder c = ComponentConfig.builder().put("url", url);
        token.ifPresent(t -> c.put("publish-token", t));
        return ProviderLoader.of(DeployerProvider.class).select("http").create(c.build());
    }

    /**
     * Trains a logistic model on {@code data}, quantizes it for each variant with {@code calibration} and writes the
     * quantized-model directories, as {@code edgeloop train} and {@code edgeloop quantize} do.
     */
    private static List<Path> models(Path dir, CsvData data, CsvData calibration, long seed) throws IOException {
        Files.createDirectories(dir);
        Path model = dir.resolve(MODEL + ".model");
        TribuoTraining.train(data, "logistic", seed).serializeToFile(model);
        List<Path> out = new ArrayList<>();
        for (String variant : List.of("avr8", "cortex-m3")) {
            Path q = dir.resolve("q-" + variant);
            ProviderLoader.of(QuantizerProvider.class).select(VARIANTS.get(variant)).create(ComponentConfig.empty())
                    .quantize(QuantizationRequest.builder().modelFile(model)
                            .calibration(calibration.features(), calibration.rows()) // matched by name
                            .target(TargetProfile.of(variant)).build()).writeTo(q);
            out.add(q);
        }
        return out;
    }

    /** Packs and signs the directories as {@code edgeloop bundle create} does. */
    private static Path bundle(SigningKey key, List<Path> models, long sequence, Path out, PrintStream log,
            String what) throws IOException {
        BundleAssembler a = new BundleAssembler().name(MODEL).sequence(sequence).securityEpoch(0)
                .version("1." + sequence + ".0").validity(Duration.ofDays(90)).runtime("edgeloop-int",
                        ">=1.0.0 <2.0.0");
        for (Path m : models) {
            a.model(m);
        }
        BundleManifest m = a.write(List.of(key), true, out);
        log.printf(Locale.ROOT, "built %s: sequence %d, %d artifacts (%s), %d bytes (%s)%n", out.getFileName(),
                m.sequence(), m.artifacts().size(), String.join(", ",
                        m.artifacts().stream().map(x -> x.target()).toList()), Files.size(out), what);
        return out;
    }

    /**
     * The devices' health check: the new model must classify at least {@code min} of the device's recent readings
     * correctly (their labels come from the room's occupancy sensor; here, the held-out {@code datatest.txt}).
     */
    static HealthCheck accuracyOn(CsvData recent, double min) {
        return model -> {
            if (!(model instanceof IntModel m)) {
                return Optional.of("the health check reads edgeloop-int models only");
            }
            double[][] rows = recent.rowsInOrder(m.featureNames());
            int right = 0;
            for (int i = 0; i < rows.length; i++) {
                String predicted = m.classNames().get(m.predictClass(m.input().quantize(rows[i])));
                right += predicted.equals(recent.labels().get(i)) ? 1 : 0;
            }
            double accuracy = (double) right / rows.length;
            return accuracy >= min ? Optional.empty() : Optional.of(String.format(Locale.ROOT,
                    "accuracy %.3f on %d recent readings, below %.2f", accuracy, rows.length, min));
        };
    }

    /** The CSV with every row's Occupancy (the last field) flipped: a labelling bug. */
    static byte[] flipLabels(byte[] csv) {
        String[] lines = new String(csv, StandardCharsets.UTF_8).split("\n", -1);
        StringBuilder b = new StringBuilder(lines[0]);
        for (int i = 1; i < lines.length; i++) {
            String l = lines[i].stripTrailing();
            b.append('\n');
            if (!l.isEmpty()) {
                char last = l.charAt(l.length() - 1);
                b.append(l, 0, l.length() - 1).append(last == '1' ? '0' : '1');
            }
        }
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = FleetRolloutExample.class.getClassLoader().getResourceAsStream(DATA + name)) {
            if (in == null) {
                throw new IOException("resource " + DATA + name + " is missing from the class path");
            }
            return in.readAllBytes();
        }
    }
}

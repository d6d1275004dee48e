package io.edgeloop.ota.fleet;

import io.edgeloop.api.provenance.Sha256;
import io.edgeloop.api.runtime.IntegerModel;
import io.edgeloop.api.target.TargetProfile;
import io.edgeloop.api.target.TargetProfiles;
import io.edgeloop.ota.agent.CrashInjector;
import io.edgeloop.ota.agent.DeviceAgent;
import io.edgeloop.ota.agent.InstallOutcome;
import io.edgeloop.ota.agent.InstallReport;
import io.edgeloop.ota.agent.InstallStep;
import io.edgeloop.ota.agent.MemoryDeviceStorage;
import io.edgeloop.ota.agent.ShadowReport;
import io.edgeloop.ota.bundle.ArtifactEntry;
import io.edgeloop.ota.bundle.BundleLimits;
import io.edgeloop.ota.bundle.BundleManifest;
import io.edgeloop.ota.bundle.BundleVerificationException;
import io.edgeloop.ota.bundle.BundleWriter;
import io.edgeloop.ota.bundle.GoldenVectors;
import io.edgeloop.ota.bundle.Lineage;
import io.edgeloop.ota.rollout.Campaign;
import io.edgeloop.ota.rollout.DeviceResult;
import io.edgeloop.ota.rollout.FleetDevice;
import io.edgeloop.ota.rollout.RolloutPlan;
import io.edgeloop.ota.rollout.WaveExecutor;
import io.edgeloop.ota.trust.KeyAlgorithm;
import io.edgeloop.ota.trust.SigningKey;
import io.edgeloop.ota.trust.TrustRoot;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;

/**
 * Simulates a fleet in one process: every device is a real {@link DeviceAgent} (in-memory storage, the
 * {@link SimulatedRuntime}) that starts from a factory image holding a signed model (sequence 1). A signed
 * candidate (sequence 2, one artifact per variant, golden vectors) is rolled out by a {@link Campaign}. Failures are
 * injected into {@code failureRate} of the devices, evenly across {@link FailureKind}. At the end each device's
 * active slot is re-verified from storage (signatures, digest, golden vectors) and counted as on the new model, on
 * the old one, or unverified. Same seed, same result.
 *
 * <p>Not thread-safe: one {@link #run()} per instance.
 */
public final class FleetSimulator {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final String MODEL = "fleet-sim";
    private static final int INPUTS = 4;
    private static final int OUTPUTS = 3;

    private final int devices;
    private final List<String> variants;
    private final double failureRate;
    private final long seed;
    private final RolloutPlan plan;
    private final int threads;

    private FleetSimulator(Builder b) {
        this.threads = b.threads;
        this.devices = b.devices;
        this.variants = List.copyOf(b.variants);
        this.failureRate = b.failureRate;
        this.seed = b.seed;
        this.plan = b.plan != null ? b.plan : RolloutPlan.builder().seed(b.seed).minShadowAgreement(0.8).build();
    }

    /** @return a new builder */
    public static Builder builder() {
        return new Builder();
    }

    /** One simulated device. */
    private static final class Sim {
        final FleetDevice device;
        final TargetProfile target;
        final MemoryDeviceStorage storage;
        final FailureKind failure;
        final InstallStep crashAt;
        final int corruptAt;
        DeviceAgent agent;

        Sim(FleetDevice device, TargetProfile target, MemoryDeviceStorage storage, FailureKind failure,
                InstallStep crashAt, int corruptAt) {
            this.device = device;
            this.target = target;
            this.storage = storage;
            this.failure = failure;
            this.crashAt = crashAt;
            this.corruptAt = corruptAt;
        }
    }

    /**
     * Runs the simulation.
     *
     * @return the report
     */
    public SimulationReport run() {
        try {
            return doRun();
        } catch (IOException e) {
            throw new UncheckedIOException("in-memory device storage failed", e);
        }
    }

    private SimulationReport doRun() throws IOException {
        Random r = new Random(seed);
        SigningKey key = key(seed);
        TrustRoot trust = TrustRoot.builder().createdAt(T0).expiresAt(T0.plus(Duration.ofDays(3650))).key(key.publicKey())
                .threshold(1).build();
        Clock clock = Clock.fixed(T0.plus(Duration.ofDays(1)), ZoneOffset.UTC);
        int[][] oldW = new int[OUTPUTS][INPUTS];
        int[] oldB = new int[OUTPUTS];
        int[][] newW = new int[OUTPUTS][INPUTS];
        int[] newB = new int[OUTPUTS];
        for (int j = 0; j < OUTPUTS; j++) {
            for (int i = 0; i < INPUTS; i++) {
                oldW[j][i] = r.nextInt(41) - 20;
                newW[j][i] = oldW[j][i] + r.nextInt(5) - 2;
            }
            oldB[j] = r.nextInt(201) - 100;
            // the retrained model carries a large common offset: same decisions, but sums beyond 16 bits
            newB[j] = oldB[j] + 40_000;
        }
        List<TargetProfile> profiles = new ArrayList<>();
        for (String v : variants) {
            profiles.add(profile(v));
        }
        byte[] oldBundle = bundle(key, 1, oldW, oldB, profiles, r);
        byte[] newBundle = bundle(key, 2, newW, newB, profiles, r);
        BundleManifest newManifest;
        Map<String, MemoryDeviceStorage> factory = new HashMap<>();
        for (TargetProfile p : profiles) {
            MemoryDeviceStorage s = new MemoryDeviceStorage();
            DeviceAgent a = agent("factory-" + p.id(), p, trust, s, clock, false, CrashInjector.NONE);
            InstallReport ir = a.install(oldBundle);
            if (ir.outcome() != InstallOutcome.INSTALLED) {
                throw new IllegalStateException("factory image for " + p.id() + " failed: " + ir.message());
            }
            factory.put(p.id(), s);
        }
        newManifest = a(newBundle, trust, clock);

        List<Sim> sims = new ArrayList<>(devices);
        Map<String, Sim> byId = new LinkedHashMap<>();
        Map<FailureKind, Integer> injected = new EnumMap<>(FailureKind.class);
        InstallStep[] steps = InstallStep.values();
        for (int i = 0; i < devices; i++) {
            TargetProfile p = profiles.get(i % profiles.size());
            FailureKind f = null;
            if (r.nextDouble() < failureRate) {
                f = FailureKind.values()[r.nextInt(FailureKind.values().length)];
                injected.merge(f, 1, Integer::sum);
            }
            Sim s = new Sim(FleetDevice.of("dev-" + pad(i), p), p, factory.get(p.id()).copy(), f,
                    steps[r.nextInt(steps.length)], r.nextInt(Integer.MAX_VALUE));
            sims.add(s);
            byId.put(s.device.id(), s);
        }
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads, t -> {
            Thread th = new Thread(t, "edgeloop-fleet-sim");
            th.setDaemon(true);
            return th;
        });
        try {
            return simulate(pool, sims, byId, injected, trust, clock, newBundle, newManifest);
        } finally {
            pool.shutdownNow();
        }
    }

    private static String pad(int i) {
        String s = Integer.toString(i);
        return s.length() >= 5 ? s : "00000".substring(s.length()) + s;
    }

    /** Runs {@code fn} for every item on the pool; results in item order. Devices are independent of each other. */
    private static <T, R> List<R> parallel(java.util.concurrent.ExecutorService pool, List<T> items,
            java.util.function.Function<T, R> fn) {
        List<java.util.concurrent.Future<R>> fs = new ArrayList<>(items.size());
        for (T t : items) {
            fs.add(pool.submit(() -> fn.apply(t)));
        }
        List<R> out = new ArrayList<>(items.size());
        for (java.util.concurrent.Future<R> f : fs) {
            try {
                out.add(f.get());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("simulation interrupted", e);
            } catch (java.util.concurrent.ExecutionException e) {
                if (e.getCause() instanceof RuntimeException) {
                    throw (RuntimeException) e.getCause();
                }
                throw new IllegalStateException(e.getCause());
            }
        }
        return out;
    }

    private SimulationReport simulate(java.util.concurrent.ExecutorService pool, List<Sim> sims, Map<String, Sim> byId,
            Map<FailureKind, Integer> injected, TrustRoot trust, Clock clock, byte[] newBundle,
            BundleManifest newManifest) {
        // devices boot (open their agent) when the campaign first reaches them
        int manifestLength = newManifest.canonicalBytes().length;
        WaveExecutor exec = new WaveExecutor() {
            @Override
            public Map<String, DeviceResult> update(List<FleetDevice> wave, Duration timeout) {
                List<DeviceResult> rs = parallel(pool, wave, d -> {
                    Sim s = byId.get(d.id());
                    if (s.failure == FailureKind.SILENT) {
                        return null;
                    }
                    try {
                        boot(s, trust, clock);
                        return deliver(s, newBundle, manifestLength, trust, clock);
                    } catch (IOException e) {
                        return DeviceResult.failed("storage: " + e.getMessage());
                    }
                });
                Map<String, DeviceResult> out = new HashMap<>();
                for (int i = 0; i < wave.size(); i++) {
                    if (rs.get(i) != null) {
                        out.put(wave.get(i).id(), rs.get(i));
                    }
                }
                return out;
            }

            @Override
            public Map<String, Double> shadow(List<FleetDevice> wave, Duration timeout) {
                Map<String, Double> out = new HashMap<>();
                for (FleetDevice d : wave) {
                    Sim s = byId.get(d.id());
                    if (s.failure == FailureKind.SILENT) {
                        continue;
                    }
                    Random in = new Random(seed ^ d.id().hashCode());
                    List<int[]> inputs = new ArrayList<>();
                    for (int k = 0; k < 32; k++) {
                        int[] x = new int[INPUTS];
                        for (int i = 0; i < INPUTS; i++) {
                            x[i] = in.nextInt(256) - 128;
                        }
                        inputs.add(x);
                    }
                    try {
                        boot(s, trust, clock);
                        ShadowReport sr = s.agent.shadow(newBundle, inputs);
                        if (sr.samples() > 0) {
                            out.put(d.id(), sr.agreement());
                        }
                    } catch (BundleVerificationException e) {
                        out.put(d.id(), 0.0);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }
                return out;
            }
        };
        Set<String> withArtifact = Campaign.artifactKeys(newManifest);
        List<FleetDevice> fleet = new ArrayList<>();
        sims.forEach(s -> fleet.add(s.device));
        Campaign c = new Campaign(plan, fleet, exec, withArtifact);
        c.run();
        int onNew = 0;
        int onOld = 0;
        int unverified = 0;
        // reboot every device: start-up recovery re-verifies the active slot (signatures, digest, golden vectors on
        // the device's runtime) and serves nothing unless it verifies
        List<Long> finals = parallel(pool, sims, s -> {
            try {
                return agent(s.device.id(), s.target, trust, s.storage, clock, s.failure == FailureKind.GOLDEN_MISMATCH,
                        CrashInjector.NONE).status().activeSequence();
            } catch (IOException e) {
                return -1L;
            }
        });
        for (long seq : finals) {
            if (seq < 1) {
                unverified++;
            } else if (seq == 2) {
                onNew++;
            } else {
                onOld++;
            }
        }
        return new SimulationReport(devices, c.reports(), c.state() == io.edgeloop.ota.rollout.CampaignState.HALTED,
                c.haltReason(), c.shadowAgreement(), onNew, onOld, unverified, injected);
    }

    private static BundleManifest a(byte[] bundle, TrustRoot trust, Clock clock) throws IOException {
        return new io.edgeloop.ota.bundle.BundleVerifier(trust, BundleLimits.DEFAULT, clock)
                .verify(bundle, io.edgeloop.ota.bundle.VerificationPolicy.builder().build()).manifest();
    }

    private static void boot(Sim s, TrustRoot trust, Clock clock) throws IOException {
        if (s.agent == null) {
            s.agent = agent(s.device.id(), s.target, trust, s.storage, clock, s.failure == FailureKind.GOLDEN_MISMATCH,
                    CrashInjector.NONE);
        }
    }

    private static DeviceResult deliver(Sim s, byte[] bundle, int manifestLength, TrustRoot trust, Clock clock)
            throws IOException {
        byte[] bytes = bundle;
        if (s.failure == FailureKind.CORRUPT_DOWNLOAD) {
            bytes = bundle.clone();
            bytes[512 + s.corruptAt % manifestLength] ^= 0x20; // inside manifest.json, the first entry
        }
        if (s.failure == FailureKind.CRASH_MID_INSTALL) {
            DeviceAgent crashing = agent(s.device.id(), s.target, trust, s.storage, clock, false,
                    CrashInjector.at(s.crashAt));
            try {
                crashing.install(bytes);
            } catch (CrashInjector.SimulatedCrash e) {
                // power cut: the device reboots below
            }
            s.agent = agent(s.device.id(), s.target, trust, s.storage, clock, false, CrashInjector.NONE);
            return s.agent.status().activeSequence() == 2 ? DeviceResult.OK
                    : DeviceResult.failed("rebooted during install (" + s.crashAt + ")");
        }
        InstallReport r = s.agent.install(bytes);
        return r.outcome() == InstallOutcome.INSTALLED ? DeviceResult.OK : DeviceResult.failed(r.message());
    }

    /** A built-in profile or one a {@code TargetProfileProvider} on the class path adds (a board of one's own). */
    private static TargetProfile profile(String id) {
        return TargetProfiles.load().of(id);
    }

    private static DeviceAgent agent(String id, TargetProfile p, TrustRoot trust, MemoryDeviceStorage s, Clock clock,
            boolean defective, CrashInjector crash) throws IOException {
        SimulatedRuntime rt = new SimulatedRuntime(defective);
        return DeviceAgent.builder().deviceId(id).model(MODEL).target(p).trust(trust).storage(s).clock(clock)
                .runtimes(name -> {
                    if (!SimulatedRuntime.NAME.equals(name)) {
                        throw new IllegalArgumentException("no runtime '" + name + "' on this device");
                    }
                    return rt;
                }).crashInjector(crash).open();
    }

    private static byte[] bundle(SigningKey key, long sequence, int[][] w, int[] b, List<TargetProfile> profiles,
            Random r) throws IOException {
        BundleManifest.Builder m = BundleManifest.builder().name(MODEL).version("1." + sequence + ".0")
                .sequence(sequence).securityEpoch(0).createdAt(T0).expiresAt(T0.plus(Duration.ofDays(30)))
                .lineage(Lineage.builder().training("generator", FleetSimulator.class.getName()).build());
        Map<String, byte[]> arts = new LinkedHashMap<>();
        IntegerModel ref = null;
        for (TargetProfile p : profiles) {
            byte[] art = SimulatedRuntime.encode(p.id(), w, b);
            ref = new SimulatedRuntime(false).load(art);
            int[][] in = new int[16][INPUTS];
            int[][] out = new int[16][];
            for (int v = 0; v < 16; v++) {
                for (int i = 0; i < INPUTS; i++) {
                    in[v][i] = r.nextInt(256) - 128;
                }
                out[v] = ref.predict(in[v]);
            }
            String path = "artifacts/" + p.id() + "/model.json";
            arts.put(path, art);
            m.artifact(ArtifactEntry.builder().path(path).sha256(Sha256.hex(art)).size(art.length).target(p.id())
                    .hardwareVariant(p.hardwareVariant()).runtime(SimulatedRuntime.NAME).runtimeVersions(">=1.0.0 <2.0.0")
                    .scheme("int32").inputSize(INPUTS).outputSize(OUTPUTS).golden(new GoldenVectors(in, out)).build());
        }
        Objects.requireNonNull(ref);
        return BundleWriter.toBytes(m.build(), arts, List.of(key), false);
    }

    private static SigningKey key(long seed) {
        try {
            SecureRandom r = SecureRandom.getInstance("SHA1PRNG");
            r.setSeed(seed);
            return SigningKey.generate(KeyAlgorithm.ED25519, r);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA1PRNG is required by the Java platform", e);
        }
    }

    /** Builder for {@link FleetSimulator}. Not thread-safe. */
    public static final class Builder {
        private int devices = 1000;
        private List<String> variants = List.of("avr8", "cortex-m3", "jvm");
        private double failureRate = 0.02;
        private long seed = 1;
        private RolloutPlan plan;
        private int threads = Math.max(2, Math.min(8, 2 * Runtime.getRuntime().availableProcessors()));

        private Builder() {
        }

        /**
         * @param threads worker threads simulating devices in parallel (results do not depend on it)
         * @return this builder
         */
        public Builder threads(int threads) {
            if (threads < 1 || threads > 256) {
                throw new IllegalArgumentException("threads must be between 1 and 256, got " + threads);
            }
            this.threads = threads;
            return this;
        }

        /**
         * @param n fleet size, 1..1,000,000
         * @return this builder
         */
        public Builder devices(int n) {
            if (n < 1 || n > 1_000_000) {
                throw new IllegalArgumentException("devices must be between 1 and 1000000, got " + n);
            }
            this.devices = n;
            return this;
        }

        /**
         * @param variants target profile ids
         * @return this builder
         */
        public Builder variants(List<String> variants) {
            if (variants.isEmpty()) {
                throw new IllegalArgumentException("at least one variant is needed");
            }
            for (String v : variants) {
                profile(v);
            }
            this.variants = List.copyOf(new java.util.LinkedHashSet<>(variants));
            return this;
        }

        /**
         * @param rate share of devices with an injected failure, 0..1
         * @return this builder
         */
        public Builder failureRate(double rate) {
            if (!(rate >= 0 && rate <= 1)) {
                throw new IllegalArgumentException("failure rate must be within [0, 1], got " + rate);
            }
            this.failureRate = rate;
            return this;
        }

        /**
         * @param seed the seed for models, failures and waves
         * @return this builder
         */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /**
         * @param plan the rollout plan (default: waves 1/5/20/50/100 %, 10 % failure limit, shadow gate 0.8)
         * @return this builder
         */
        public Builder plan(RolloutPlan plan) {
            this.plan = Objects.requireNonNull(plan, "plan");
            return this;
        }

        /** @return the simulator */
        public FleetSimulator build() {
            return new FleetSimulator(this);
        }
    }
}

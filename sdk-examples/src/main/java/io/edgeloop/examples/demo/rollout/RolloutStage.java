package io.edgeloop.examples.demo.rollout;

import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.api.runtime.ModelRuntime;
import io.edgeloop.api.runtime.ModelRuntimeProvider;
import io.edgeloop.api.spi.ProviderLoader;
import io.edgeloop.api.target.TargetProfile;
import io.edgeloop.examples.demo.DemoConsole;
import io.edgeloop.examples.demo.DemoFiles;
import io.edgeloop.examples.demo.fleet.FleetPlan;
import io.edgeloop.examples.demo.report.DemoResults;
import io.edgeloop.ota.agent.CrashInjector;
import io.edgeloop.ota.agent.DeviceAgent;
import io.edgeloop.ota.agent.FileDeviceStorage;
import io.edgeloop.ota.agent.InstallOutcome;
import io.edgeloop.ota.agent.InstallReport;
import io.edgeloop.ota.agent.InstallStep;
import io.edgeloop.ota.agent.ShadowReport;
import io.edgeloop.ota.bundle.BundleArchive;
import io.edgeloop.ota.bundle.BundleLimits;
import io.edgeloop.ota.bundle.BundleManifest;
import io.edgeloop.ota.bundle.BundleVerifier;
import io.edgeloop.ota.bundle.BundleVerificationException;
import io.edgeloop.ota.rollout.Campaign;
import io.edgeloop.ota.rollout.CampaignState;
import io.edgeloop.ota.rollout.DeviceResult;
import io.edgeloop.ota.rollout.FleetDevice;
import io.edgeloop.ota.rollout.RolloutPlan;
import io.edgeloop.ota.rollout.WaveExecutor;
import io.edgeloop.ota.rollout.WaveReport;
import io.edgeloop.ota.trust.TrustRoot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Step 5: a staged rollout of this run's bundle to the demo's devices with sdk-ota. Every device runs a real
 * {@link DeviceAgent} with file storage (A/B slots under {@code fleet/<device>}) and the {@code edgeloop-int}
 * runtime, and starts on the previous release (sequence 1, installed and verified like any update). A
 * {@link Campaign} then delivers the new bundle (sequence 2) in waves, the first holding every variant, after a
 * shadow gate: devices run the candidate beside their current model on real test windows and must agree on at
 * least 90 % of them. Each device verifies signatures, digests, sequence and variant, runs the golden vectors on
 * its runtime, switches and confirms. Two failures are injected from the seed: one device loses power in the
 * middle of its install (it reboots onto a working model), one of another variant receives a corrupted download
 * (refused).
 * Afterwards every device's active slot is verified again from storage.
 *
 * <p>Not thread-safe: one run per instance.
 */
public final class RolloutStage {
    private final long seed;
    private final DemoConsole console;
    private final Clock clock;

    /**
     * What the rollout did.
     *
     * @param figures  the report figures
     * @param halted   why it halted, when it did (else empty)
     * @param injected the failures injected, for the report
     * @param completedWithFailures what crossed a threshold in the last wave, when the campaign completed although
     *                 it did (nothing was left to halt; else empty)
     *
     * <p>Thread-safe: immutable.
     */
    public record Outcome(DemoResults.Rollout figures, String halted, String injected, String completedWithFailures) {
    }

    /** The model the devices run: the candidate's manifest name (set by {@link #run}). */
    private String model;

    /**
     * @param seed    chooses the devices that fail
     * @param console progress
     * @param clock   the devices' clock, against which they check the bundles' and the trust file's expiry: the
     *                system clock, or the demo's fixed time ({@code SOURCE_DATE_EPOCH}), which its artifacts record
     *                as their creation time and may lie further back than their validity
     */
    public RolloutStage(long seed, DemoConsole console, Clock clock) {
        this.seed = seed;
        this.console = console;
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** One device during the rollout. */
    private static final class Sim {
        final FleetPlan.Device plan;
        final FileDeviceStorage storage;
        DeviceAgent agent;
        String failure = "";
        InstallStep crashAt;

        Sim(FleetPlan.Device plan, FileDeviceStorage storage) {
            this.plan = plan;
            this.storage = storage;
        }
    }

    /**
     * Runs the rollout.
     *
     * @param devices      the fleet
     * @param trustFile    the trust file the devices hold
     * @param previous     the previous release's bundle (sequence 1)
     * @param candidate    this run's bundle (sequence 2)
     * @param shadowInputs per variant, integer inputs from test windows for the shadow gate
     * @param dir          where the devices' storage lives (recreated)
     * @return the figures
     * @throws IOException when a device's storage fails or the factory install is refused
     */
    public Outcome run(List<FleetPlan.Device> devices, Path trustFile, Path previous, Path candidate,
            Map<String, List<int[]>> shadowInputs, Path dir) throws IOException {
        DemoFiles.fresh(dir);
        TrustRoot trust = TrustRoot.read(trustFile);
        ModelRuntime runtime = ProviderLoader.of(ModelRuntimeProvider.class).select("edgeloop-int")
                .create(ComponentConfig.empty());
        byte[] oldBundle = Files.readAllBytes(previous);
        byte[] newBundle = Files.readAllBytes(candidate);
        model = BundleVerifier.parseManifest(BundleArchive.read(new java.io.ByteArrayInputStream(newBundle),
                BundleLimits.DEFAULT).entries().get("manifest.json")).name();
        Map<String, Sim> sims = new LinkedHashMap<>();
        int done = 0;
        for (FleetPlan.Device d : devices) {
            Sim s = new Sim(d, new FileDeviceStorage(dir.resolve(d.id())));
            s.agent = agent(s, trust, runtime, CrashInjector.NONE);
            InstallReport r = s.agent.install(oldBundle);
            if (r.outcome() != InstallOutcome.INSTALLED) {
                throw new IOException("Factory install of the previous release on " + d.id() + " failed: "
                        + r.message());
            }
            sims.put(d.id(), s);
            console.progress("installing previous release", ++done, devices.size());
        }
        SplittableRandom rnd = new SplittableRandom(seed ^ 0x5eedL);
        List<Sim> all = new ArrayList<>(sims.values());
        Sim crash = all.get(rnd.nextInt(all.size()));
        crash.failure = "power loss during install";
        InstallStep[] steps = InstallStep.values();
        crash.crashAt = steps[rnd.nextInt(steps.length)];
        Sim corrupt = all.get(rnd.nextInt(all.size()));
        if (corrupt.plan.variant().equals(crash.plan.variant())) {
            // Two device-local faults on one variant could be the first two of its devices the campaign reaches:
            // every device of it failing is what a broken artifact looks like, and the campaign rightly halts on
            // that (Campaign: every device of two or more failed). The demo shows unrelated device faults, so the
            // corrupted download goes to a device of another variant.
            List<Sim> others = all.stream().filter(s -> !s.plan.variant().equals(crash.plan.variant())).toList();
            corrupt = others.get(rnd.nextInt(others.size()));
        }
        corrupt.failure = "corrupted download";
        String injected = String.format(Locale.ROOT, "%s lost power after install step %s; %s received a corrupted "
                + "download", crash.plan.id(), crash.crashAt, corrupt.plan.id());

        WaveExecutor executor = new WaveExecutor() {
            @Override
            public Map<String, DeviceResult> update(List<FleetDevice> wave, Duration timeout) {
                Map<String, DeviceResult> out = new HashMap<>();
                for (FleetDevice fd : wave) {
                    Sim s = sims.get(fd.id());
                    try {
                        out.put(fd.id(), deliver(s, newBundle, trust, runtime));
                    } catch (IOException e) {
                        out.put(fd.id(), DeviceResult.failed("storage: " + e.getMessage()));
                    }
                }
                return out;
            }

            @Override
            public Map<String, Double> shadow(List<FleetDevice> wave, Duration timeout) {
                Map<String, Double> out = new HashMap<>();
                for (FleetDevice fd : wave) {
                    try {
                        // A device with no shadow inputs for its variant compares nothing: left out, so it cannot
                        // pass the gate by default (ShadowReport reads 1 for 0 samples).
                        ShadowReport sr = sims.get(fd.id()).agent.shadow(newBundle,
                                shadowInputs.getOrDefault(fd.variant(), List.of()));
                        if (sr.samples() > 0) {
                            out.put(fd.id(), sr.agreement());
                        }
                    } catch (BundleVerificationException e) {
                        out.put(fd.id(), 0.0);
                    }
                }
                return out;
            }
        };
        BundleManifest manifest = new BundleVerifier(trust, BundleLimits.DEFAULT, clock).verify(candidate,
                io.edgeloop.ota.bundle.VerificationPolicy.builder().build()).manifest();
        Set<String> withArtifact = Campaign.artifactKeys(manifest);
        List<FleetDevice> fleet = new ArrayList<>();
        for (Sim s : all) {
            fleet.add(FleetDevice.of(s.plan.id(), TargetProfile.of(s.plan.variant())));
        }
        RolloutPlan plan = RolloutPlan.builder().waves(List.of(0.25, 0.5, 1.0)).maxFailureRate(0.34)
                .minSuccessRate(0.66).minShadowAgreement(0.9).deviceTimeout(Duration.ofMinutes(5)).seed(seed).build();
        Campaign campaign = new Campaign(plan, fleet, executor, withArtifact);
        CampaignState state = campaign.run();
        List<DemoResults.Wave> waves = new ArrayList<>();
        for (WaveReport w : campaign.reports()) {
            waves.add(new DemoResults.Wave("wave " + (w.index() + 1), w.devices(), w.succeeded(), w.failed(),
                    w.timedOut()));
            console.line("wave %d: %d devices, %d switched, %d failed, %d silent -> %s", w.index() + 1, w.devices(),
                    w.succeeded(), w.failed(), w.timedOut(), w.decision());
        }
        int onNew = 0;
        int onOld = 0;
        int unverified = 0;
        for (Sim s : all) {
            long seq = s.agent.status().activeSequence();
            if (!s.agent.activeSlotVerifies() || seq < 1) {
                unverified++;
            } else if (seq == manifest.sequence()) {
                onNew++;
            } else {
                onOld++;
            }
        }
        String ended = campaign.completedWithFailures().map(r -> "completed with failures (" + r + ")")
                .orElse(state.name().toLowerCase(Locale.ROOT) + campaign.haltReason().map(r -> " (" + r + ")")
                        .orElse(""));
        console.line("campaign %s; shadow agreement %s; %d devices on the new model, %d on the previous one, %d "
                + "unverified", ended, campaign.shadowAgreement().map(a -> String.format(Locale.ROOT, "%.1f %%", 100 * a))
                .orElse("n/a"), onNew, onOld, unverified);
        return new Outcome(new DemoResults.Rollout(all.size(), onNew, onOld, unverified, state == CampaignState.HALTED,
                waves), campaign.haltReason().orElse(""), injected, campaign.completedWithFailures().orElse(""));
    }

    private DeviceResult deliver(Sim s, byte[] bundle, TrustRoot trust, ModelRuntime runtime) throws IOException {
        byte[] bytes = bundle;
        if (s.failure.equals("corrupted download")) {
            bytes = bundle.clone();
            bytes[bytes.length / 2] ^= 0x40;
        }
        if (s.crashAt != null) {
            DeviceAgent crashing = agent(s, trust, runtime, CrashInjector.at(s.crashAt));
            try {
                crashing.install(bytes);
            } catch (CrashInjector.SimulatedCrash e) {
                // The power came back: the device boots its agent again from what storage holds.
            }
            s.agent = agent(s, trust, runtime, CrashInjector.NONE);
            return s.agent.status().activeSequence() == 2 ? DeviceResult.OK
                    : DeviceResult.failed("rebooted during install (after " + s.crashAt + ")");
        }
        InstallReport r = s.agent.install(bytes);
        return r.outcome() == InstallOutcome.INSTALLED ? DeviceResult.OK : DeviceResult.failed(r.message());
    }

    private DeviceAgent agent(Sim s, TrustRoot trust, ModelRuntime runtime, CrashInjector crash)
            throws IOException {
        return DeviceAgent.builder().deviceId(s.plan.id()).model(model).target(TargetProfile.of(s.plan.variant())).trust(trust)
                .storage(s.storage).runtimes(name -> {
                    if (!"edgeloop-int".equals(name)) {
                        throw new IllegalArgumentException("no runtime '" + name + "' on " + s.plan.id());
                    }
                    return runtime;
                }).crashInjector(crash).clock(clock).open();
    }
}

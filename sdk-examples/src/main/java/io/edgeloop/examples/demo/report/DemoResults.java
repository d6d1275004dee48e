package io.edgeloop.examples.demo.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything a demo run measured, as plain values: the input to {@link SummaryJson} and {@link ReportHtml}. Each
 * part is optional, because a step that could not run leaves its part empty and says why in {@link #steps()};
 * nothing is ever filled with invented figures.
 *
 * <p>Thread-safe: immutable once built. Built with {@link #builder()}.
 */
public final class DemoResults {
    private final RunInfo run;
    private final List<Step> steps;
    private final Optional<Ingest> ingest;
    private final Optional<Labeling> labeling;
    private final List<TestFileAccuracy> labelingByTestFile;
    private final List<Variant> variants;
    private final Optional<Rollout> rollout;

    private DemoResults(Builder b) {
        this.run = b.run;
        this.steps = List.copyOf(b.steps);
        this.ingest = Optional.ofNullable(b.ingest);
        this.labeling = Optional.ofNullable(b.labeling);
        this.labelingByTestFile = List.copyOf(b.labelingByTestFile);
        this.variants = List.copyOf(b.variants);
        this.rollout = Optional.ofNullable(b.rollout);
    }

    /** @return a new builder */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the run's settings and environment */
    public RunInfo run() {
        return run;
    }

    /** @return the steps in order with their status */
    public List<Step> steps() {
        return steps;
    }

    /** @return step 1-2 figures, when the data path ran */
    public Optional<Ingest> ingest() {
        return ingest;
    }

    /** @return step 3 figures, when labelling ran */
    public Optional<Labeling> labeling() {
        return labeling;
    }

    /** @return step 3's end-model figures per test file, in order; empty when labelling did not run */
    public List<TestFileAccuracy> labelingByTestFile() {
        return labelingByTestFile;
    }

    /**
     * The end model and the gold-trained model on one test file (the combined figures are in {@link Labeling}).
     *
     * @param file               the test file, for example {@code datatest.txt}
     * @param windows            its windows with complete inputs
     * @param endModelAccuracy   the model trained on weak labels, in percent (NaN without windows)
     * @param goldModelAccuracy  the same model trained on all gold labels, in percent (NaN without windows)
     *
     * <p>Thread-safe: immutable.
     */
    public record TestFileAccuracy(String file, int windows, double endModelAccuracy, double goldModelAccuracy) {
        /** Validates. */
        public TestFileAccuracy {
            Objects.requireNonNull(file, "file");
        }
    }

    /** @return step 4 figures per hardware variant, empty when quantization did not run */
    public List<Variant> variants() {
        return variants;
    }

    /** @return step 5 figures, when the rollout ran */
    public Optional<Rollout> rollout() {
        return rollout;
    }

    /**
     * The run's settings and environment.
     *
     * @param devices      simulated devices
     * @param seed         the seed of every random choice
     * @param transport    how forwarders reached the ingest server ({@code http}, {@code mqtt://host:port})
     * @param sdkVersion   the Edgeloop version
     * @param environment  JVM, OS and architecture
     *
     * <p>Thread-safe: immutable.
     */
    public record RunInfo(int devices, long seed, String transport, String sdkVersion, String environment) {
        /** Checks the fields. */
        public RunInfo {
            Objects.requireNonNull(transport, "transport");
            Objects.requireNonNull(sdkVersion, "sdkVersion");
            Objects.requireNonNull(environment, "environment");
        }
    }

    /** How far a step got. Thread-safe: an enum. */
    public enum Status {
        /** The step ran on the real modules. */
        DONE,
        /** The step ran, but part of it could not (the detail says which). */
        PARTIAL,
        /** The step could not run (the detail says why). */
        SKIPPED,
        /** The step ran and failed (the detail has the error). */
        FAILED
    }

    /**
     * One step of the demo.
     *
     * @param number the step number, 1 to 6
     * @param title  what the step does
     * @param status how far it got
     * @param detail what it did, or why it did not
     *
     * <p>Thread-safe: immutable.
     */
    public record Step(int number, String title, Status status, String detail) {
        /** Checks the fields. */
        public Step {
            Objects.requireNonNull(title, "title");
            Objects.requireNonNull(status, "status");
            Objects.requireNonNull(detail, "detail");
        }
    }

    /**
     * Buffering, outages and delivery (steps 1 and 2).
     *
     * @param recordsSent       records the devices' sources produced and appended to their buffers
     * @param recordsIngested   distinct records the ingest server holds
     * @param recordsLost       records sent but never ingested
     * @param duplicatesDropped resends the ingest server recognised by idempotency key and dropped
     * @param timeline          buffered records over (simulated) time, per hardware variant
     * @param outages           connectivity outages and power losses
     * @param horizonMinutes the length of the simulated timeline, in minutes of sensor data
     *
     * <p>Thread-safe: immutable.
     */
    public record Ingest(long recordsSent, long recordsIngested, long recordsLost, long duplicatesDropped,
            List<FillSample> timeline, List<Outage> outages, double horizonMinutes) {
        /** Copies the lists. */
        public Ingest {
            timeline = List.copyOf(timeline);
            outages = List.copyOf(outages);
        }
    }

    /**
     * Records buffered (appended, not yet acknowledged) at one instant, summed over a group of devices.
     *
     * @param minute   minutes of sensor data since the start of the replay (one reading per device per minute)
     * @param group    the series (a hardware variant)
     * @param buffered records waiting in the group's buffers
     *
     * <p>Thread-safe: immutable.
     */
    public record FillSample(double minute, String group, long buffered) {
    }

    /**
     * A span of time when a device could not deliver.
     *
     * @param device       the device
     * @param startMinute when it began
     * @param endMinute   when it ended
     * @param powerLoss    true for a power loss (buffer killed and reopened), false for a network outage
     *
     * <p>Thread-safe: immutable.
     */
    public record Outage(String device, double startMinute, double endMinute, boolean powerLoss) {
    }

    /**
     * Labelling and training (step 3); accuracies in percent.
     *
     * @param windows            windows built from the ingested records
     * @param labelModel         the label model used
     * @param weakLabelAccuracy  accuracy of the label model's labels against gold, on windows it labelled
     * @param weakLabelCoverage  share of windows the label model labelled
     * @param expertQueries      questions asked of the simulated expert
     * @param endModelAccuracy   the model trained on weak labels, on the held-out test data
     * @param goldModelAccuracy  the same model trained on all gold labels, on the same test data
     * @param majorityVoteAccuracy majority vote's accuracy over the same windows, for comparison
     * @param functions          per labelling function coverage and accuracy
     *
     * <p>Thread-safe: immutable.
     */
    public record Labeling(int windows, String labelModel, double weakLabelAccuracy, double weakLabelCoverage,
            int expertQueries, double endModelAccuracy, double goldModelAccuracy, double majorityVoteAccuracy,
            List<LfStat> functions) {
        /** Copies the list. */
        public Labeling {
            Objects.requireNonNull(labelModel, "labelModel");
            functions = List.copyOf(functions);
        }
    }

    /**
     * One labelling function's figures, in percent.
     *
     * @param name     the function's name
     * @param coverage share of windows it voted on
     * @param accuracy share of its votes that matched gold
     *
     * <p>Thread-safe: immutable.
     */
    public record LfStat(String name, double coverage, double accuracy) {
    }

    /**
     * One hardware variant's quantized model (step 4); accuracies in percent.
     *
     * @param target            the target profile ({@code avr8}, {@code cortex-m3}, {@code jvm})
     * @param scheme            the quantization scheme
     * @param floatAccuracy     the float model on the test data
     * @param quantizedAccuracy the quantized model on the same data
     * @param parity            where parity was checked: {@code simavr}, {@code qemu} or {@code java}
     * @param vectors           test vectors compared
     * @param mismatches        vectors whose output differed from the Java integer runtime
     * @param flashBytes        model plus code size on the target, as report.json measured it; null when the
     *                          target's compiler is not installed (nothing measured: never a parameter count)
     * @param parameterBytes    the quantized parameters' size
     * @param floatModelBytes   size of the same model's parameters as float32, for comparison
     *
     * <p>Thread-safe: immutable.
     */
    public record Variant(String target, String scheme, double floatAccuracy, double quantizedAccuracy, String parity,
            long vectors, long mismatches, Long flashBytes, long parameterBytes, long floatModelBytes) {
    }

    /**
     * The staged rollout (step 5).
     *
     * @param devices    devices in the fleet
     * @param onNewModel devices running the new model after the rollout
     * @param onOldModel devices still on (or rolled back to) the old model
     * @param unverified devices running a model that was not verified
     * @param halted     whether the rollout stopped early
     * @param waves      the waves in order
     *
     * <p>Thread-safe: immutable.
     */
    public record Rollout(int devices, int onNewModel, int onOldModel, int unverified, boolean halted,
            List<Wave> waves) {
        /** Copies the list. */
        public Rollout {
            waves = List.copyOf(waves);
        }
    }

    /**
     * One rollout wave.
     *
     * @param name       the wave's name
     * @param devices    devices in the wave
     * @param succeeded  devices that verified, switched and reported healthy
     * @param failed     devices that refused or rolled back (and stayed on the old model)
     * @param silent     devices that never reported
     *
     * <p>Thread-safe: immutable.
     */
    public record Wave(String name, int devices, int succeeded, int failed, int silent) {
    }

    /** Builder for {@link DemoResults}. Not thread-safe. */
    public static final class Builder {
        private RunInfo run;
        private final List<Step> steps = new ArrayList<>();
        private Ingest ingest;
        private Labeling labeling;
        private final List<TestFileAccuracy> labelingByTestFile = new ArrayList<>();
        private final List<Variant> variants = new ArrayList<>();
        private Rollout rollout;

        private Builder() {
        }

        /**
         * @param run the run's settings
         * @return this builder
         */
        public Builder run(RunInfo run) {
            this.run = Objects.requireNonNull(run, "run");
            return this;
        }

        /**
         * @param step a step, in order
         * @return this builder
         */
        public Builder step(Step step) {
            steps.add(Objects.requireNonNull(step, "step"));
            return this;
        }

        /**
         * @param ingest the data path's figures
         * @return this builder
         */
        public Builder ingest(Ingest ingest) {
            this.ingest = Objects.requireNonNull(ingest, "ingest");
            return this;
        }

        /**
         * @param labeling the labelling figures
         * @return this builder
         */
        public Builder labeling(Labeling labeling) {
            this.labeling = Objects.requireNonNull(labeling, "labeling");
            return this;
        }

        /**
         * @param accuracy one test file's end-model figures, in order
         * @return this builder
         */
        public Builder labelingByTestFile(TestFileAccuracy accuracy) {
            labelingByTestFile.add(Objects.requireNonNull(accuracy, "accuracy"));
            return this;
        }

        /**
         * @param variant a variant's figures
         * @return this builder
         */
        public Builder variant(Variant variant) {
            variants.add(Objects.requireNonNull(variant, "variant"));
            return this;
        }

        /**
         * @param rollout the rollout's figures
         * @return this builder
         */
        public Builder rollout(Rollout rollout) {
            this.rollout = Objects.requireNonNull(rollout, "rollout");
            return this;
        }

        /**
         * @return the results
         * @throws IllegalArgumentException when the run info is missing
         */
        public DemoResults build() {
            if (run == null) {
                throw new IllegalArgumentException("DemoResults needs the run info");
            }
            return new DemoResults(this);
        }
    }
}

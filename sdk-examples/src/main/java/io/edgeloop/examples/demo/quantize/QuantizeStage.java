package io.edgeloop.examples.demo.quantize;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.api.provenance.Provenance;
import io.edgeloop.api.quantize.QuantizationRequest;
import io.edgeloop.api.quantize.QuantizedModel;
import io.edgeloop.api.quantize.QuantizerProvider;
import io.edgeloop.api.runtime.IntegerModel;
import io.edgeloop.api.runtime.ModelRuntimeProvider;
import io.edgeloop.api.spi.ProviderLoader;
import io.edgeloop.api.target.TargetProfile;
import io.edgeloop.examples.demo.DemoConsole;
import io.edgeloop.examples.demo.DemoFiles;
import io.edgeloop.examples.demo.label.FeatureTable;
import io.edgeloop.examples.demo.label.OccupancyWindows;
import io.edgeloop.examples.demo.label.TribuoModels;
import io.edgeloop.examples.demo.report.DemoResults;
import io.edgeloop.labeling.train.EndModel;
import io.edgeloop.labeling.train.ProvenanceFiles;
import io.edgeloop.quantize.parity.ParityHarness;
import io.edgeloop.quantize.parity.ParityResult;
import io.edgeloop.quantize.parity.ParityTarget;
import io.edgeloop.quantize.parity.TestVectors;
import io.edgeloop.quantize.runtime.IntModel;
import io.edgeloop.quantize.runtime.QuantizedArtifact;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.tribuo.Model;
import org.tribuo.classification.Label;

/**
 * Step 4, first half: the end model is written as {@code edgeloop train} writes it, with its provenance file
 * ({@code occupancy.tribuo.provenance.json}: labels, label model, expert answers), quantized for each hardware
 * variant through the {@link QuantizerProvider} SPI ({@code int8} for {@code avr8}, {@code int16} for
 * {@code cortex-m3}, {@code int32} for {@code jvm}) with the training windows as calibration data, written as
 * quantized-model directories (model.json, model.h, model.c, golden.json, report.json), scored against the float
 * model on the test windows, and checked for parity by {@link ParityCheck}. Each quantized model's provenance names
 * the end model's as its parent.
 *
 * <p>Not thread-safe: one run per instance.
 */
public final class QuantizeStage {
    /** Hardware variant and its scheme, in report order. */
    public static final List<String[]> VARIANTS = List.of(new String[] {"avr8", "int8"},
            new String[] {"cortex-m3", "int16"}, new String[] {"jvm", "int32"});
    /** The end model's file name; its provenance is {@code occupancy.tribuo.provenance.json} beside it. */
    public static final String MODEL_FILE = "occupancy.tribuo";
    /** Parity vectors per variant. */
    public static final int PARITY_VECTORS = 10_000;

    private final long seed;
    private final DemoConsole console;
    private final java.time.Instant createdAt;

    /**
     * One variant's product.
     *
     * <p>Thread safety: an immutable holder; the objects it refers to keep their own thread-safety rules.
     *
     * @param figures the report figures
     * @param dir     its quantized-model directory
     * @param model   the integer model
     * @param note    why parity ran where it did, when not on the variant's simulator
     */
    public record Product(DemoResults.Variant figures, Path dir, IntModel model, String note) {
    }

    /**
     * @param seed      the seed of the parity vectors
     * @param console   progress
     * @param createdAt the time the quantized models' provenance records ({@link QuantizationRequest#createdAt()}),
     *                  for example {@code SOURCE_DATE_EPOCH}, so the same run writes the same files; null for the
     *                  current time
     */
    public QuantizeStage(long seed, DemoConsole console, java.time.Instant createdAt) {
        this.seed = seed;
        this.console = console;
        this.createdAt = createdAt;
    }

    /**
     * Runs the step.
     *
     * @param endModel the float end model with its provenance
     * @param train    calibration rows
     * @param test     test rows with gold labels
     * @param dir      where to write the model file, its provenance file and the quantized-model directories
     * @return one product per variant
     * @throws IOException when a file cannot be written or a quantizer fails
     */
    public List<Product> run(EndModel endModel, FeatureTable train, FeatureTable test, Path dir) throws IOException {
        DemoFiles.fresh(dir);
        Path modelFile = dir.resolve(MODEL_FILE);
        Provenance endProvenance = writeModel(endModel, modelFile);
        console.line("end model: %s with its provenance in %s (label model %s, %s expert answers)", MODEL_FILE,
                ProvenanceFiles.fileFor(modelFile).getFileName(), endProvenance.settings().get("labelModel"),
                endProvenance.settings().get("expertAnswers"));
        Model<Label> model = endModel.tribuoModel();
        double floatAcc = TribuoModels.accuracy(model, test);
        // Tribuo orders a model's features by name; quantizer and integer model read inputs in that order.
        List<String> inputOrder = TribuoImporterOrder.of(model);
        FeatureTable calib = reorder(train, inputOrder);
        FeatureTable testRows = reorder(test, inputOrder);
        ProviderLoader<QuantizerProvider> quantizers = ProviderLoader.of(QuantizerProvider.class);
        ModelRuntimeProvider runtime = ProviderLoader.of(ModelRuntimeProvider.class).select("edgeloop-int");
        ParityCheck parity = new ParityCheck(runtime.create(ComponentConfig.empty()), seed);
        List<Product> out = new ArrayList<>();
        int done = 0;
        for (String[] v : VARIANTS) {
            TargetProfile target = TargetProfile.of(v[0]);
            QuantizedModel q = quantizers.select(v[1]).create(ComponentConfig.empty()).quantize(
                    request(modelFile, calib, target, endProvenance, createdAt));
            Path qdir = dir.resolve(target.id());
            q.writeTo(qdir);
            IntModel im = ((QuantizedArtifact) q).model();
            if (!im.featureNames().equals(inputOrder)) {
                throw new IllegalStateException("The quantized model reads " + im.featureNames() + ", expected "
                        + inputOrder);
            }
            double qAcc = accuracy(im, testRows);
            ParityCheck.Result pr = parity.check(im, qdir, PARITY_VECTORS);
            JsonNode report = new ObjectMapper().readTree(Files.readAllBytes(qdir.resolve("report.json")));
            // null without the target's compiler: nothing was measured, and a parameter count is not a flash size
            Long flash = report.path("flashBytes").isNumber() ? report.path("flashBytes").asLong() : null;
            DemoResults.Variant figures = new DemoResults.Variant(target.id(), q.scheme(), floatAcc, qAcc, pr.where(),
                    pr.vectors(), pr.mismatches(), flash, im.parameterBytes(), im.float32ParameterBytes());
            console.line("%-9s %-5s float %.2f %%  quantized %.2f %%  parity on %s: %s  flash %s "
                    + "(%s)", target.id(), q.scheme(), floatAcc, qAcc, pr.where(), pr.summary(),
                    flash == null ? "not measured" : flash + " B", report.path("sizeSource").asText());
            out.add(new Product(figures, qdir, im, pr.note()));
            console.progress("quantizing variants", ++done, VARIANTS.size());
        }
        return out;
    }

    /**
     * Quantizes a model for every variant and writes the directories, without measuring anything: used for the
     * previous release the fleet starts from.
     *
     * @param endModel  the float model with its provenance
     * @param train     calibration rows
     * @param dir       where to write
     * @param createdAt the time the quantized models' provenance records; null for the current time
     * @return the quantized-model directories, one per variant
     * @throws IOException when writing or quantizing fails
     */
    public static List<Path> writeOnly(EndModel endModel, FeatureTable train, Path dir, java.time.Instant createdAt)
            throws IOException {
        DemoFiles.fresh(dir);
        Path modelFile = dir.resolve(MODEL_FILE);
        Provenance endProvenance = writeModel(endModel, modelFile);
        FeatureTable calib = reorder(train, TribuoImporterOrder.of(endModel.tribuoModel()));
        List<Path> out = new ArrayList<>();
        for (String[] v : VARIANTS) {
            QuantizedModel q = ProviderLoader.of(QuantizerProvider.class).select(v[1]).create(ComponentConfig.empty())
                    .quantize(request(modelFile, calib, TargetProfile.of(v[0]), endProvenance, createdAt));
            Path qdir = dir.resolve(v[0]);
            q.writeTo(qdir);
            out.add(qdir);
        }
        return out;
    }

    /** The request for one variant; a null time leaves the quantizer's clock. */
    private static QuantizationRequest request(Path modelFile, FeatureTable calib, TargetProfile target,
            Provenance parent, java.time.Instant createdAt) {
        return QuantizationRequest.builder().modelFile(modelFile).calibration(calib.features(), calib.rows())
                .target(target).parent(parent).createdAt(createdAt).build();
    }

    /**
     * Writes the end model as {@code edgeloop train} does ({@code Model.serializeToFile}) with its provenance file
     * next to it ({@code <file>.provenance.json}), and reads the provenance back as a quantizer's caller would: the
     * record the quantized models name as their parent is the one bound to the file's bytes.
     */
    private static Provenance writeModel(EndModel endModel, Path modelFile) throws IOException {
        endModel.write(modelFile);
        return ProvenanceFiles.read(modelFile);
    }

    /**
     * Integer inputs for the shadow gate: the first test rows, quantized as each variant's model reads them.
     *
     * @param products this run's products
     * @param test     test rows (end-model feature order)
     * @param rows     how many rows per variant
     * @return inputs by variant
     */
    public static java.util.Map<String, List<int[]>> shadowInputs(List<Product> products, FeatureTable test,
            int rows) {
        java.util.Map<String, List<int[]>> out = new java.util.LinkedHashMap<>();
        for (Product p : products) {
            FeatureTable t = reorder(test, p.model().featureNames());
            List<int[]> in = new ArrayList<>();
            for (int i = 0; i < Math.min(rows, t.size()); i++) {
                in.add(p.model().input().quantize(t.rows()[i]));
            }
            out.put(p.figures().target(), in);
        }
        return out;
    }

    /** Returns the table with its columns in the given order. */
    static FeatureTable reorder(FeatureTable t, List<String> order) {
        int[] idx = new int[order.size()];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = t.features().indexOf(order.get(i));
            if (idx[i] < 0) {
                throw new IllegalArgumentException("No feature " + order.get(i) + " in " + t.features());
            }
        }
        double[][] rows = new double[t.size()][idx.length];
        for (int r = 0; r < rows.length; r++) {
            for (int i = 0; i < idx.length; i++) {
                rows[r][i] = t.rows()[r][idx[i]];
            }
        }
        return new FeatureTable(List.copyOf(order), rows, t.gold());
    }

    /** The order in which a Tribuo model numbers its features (its feature map's ids). */
    static final class TribuoImporterOrder {
        private TribuoImporterOrder() {
        }

        static List<String> of(Model<Label> model) {
            List<String> names = new ArrayList<>();
            var fmap = model.getFeatureIDMap();
            for (int i = 0; i < fmap.size(); i++) {
                names.add(fmap.get(i).getName());
            }
            return names;
        }
    }

    /** Test accuracy of the integer model: raw features quantized as the device would, then the integer argmax. */
    static double accuracy(IntModel m, FeatureTable test) {
        List<String> classes = m.classNames();
        int right = 0;
        for (int i = 0; i < test.size(); i++) {
            int k = m.predictClass(m.input().quantize(test.rows()[i]));
            int predicted = classes.isEmpty() ? k : OccupancyWindows.CLASSES.indexOf(classes.get(k));
            right += predicted == test.gold()[i] ? 1 : 0;
        }
        return test.size() == 0 ? Double.NaN : 100.0 * right / test.size();
    }

    /**
     * Parity between the in-memory integer model and the same model as the device loads it.
     *
     * <p>Thread-safe: immutable.
     */
    static final class ParityCheck {
        private final io.edgeloop.api.runtime.ModelRuntime runtime;
        private final long seed;

        /** What a parity check found. */
        record Result(String where, long vectors, long mismatches, String note, String summary) {
        }

        ParityCheck(io.edgeloop.api.runtime.ModelRuntime runtime, long seed) {
            this.runtime = runtime;
            this.seed = seed;
        }

        /**
         * Checks parity where the variant runs: {@code avr8} generated C on simavr (ATmega328P), {@code cortex-m3}
         * on qemu (mps2-an385), each against the Java reference runtime bit for bit (sdk-quantize's
         * {@link ParityHarness}); the {@code jvm} gateway, or a variant whose toolchain is not installed, on the
         * Java runtime it runs: the reference model against {@code model.json} reloaded by the {@code edgeloop-int}
         * runtime, on the same edge and seeded random vectors.
         */
        Result check(IntModel reference, Path dir, int vectors) throws IOException {
            String target = dir.getFileName().toString();
            if (target.equals("avr8") || target.equals("cortex-m3")) {
                ParityTarget pt = ParityTarget.of(target);
                List<String> missing = ParityHarness.missingTools(pt);
                if (missing.isEmpty()) {
                    String sim = target.equals("avr8") ? "simavr" : "qemu";
                    try {
                        ParityResult r = new ParityHarness(300).run(reference, pt, vectors, seed);
                        // The device reports a hash of every output plus a sample: a nonzero count is a lower
                        // bound, and the summary says so.
                        return new Result(sim, r.vectors(), r.mismatches(), "",
                                r.mismatchSummary() + " in " + r.vectors() + " vectors");
                    } catch (IOException e) {
                        // The simulator could not run (not a mismatch: those are results); say so and check here.
                        return javaCheck(reference, dir, vectors, sim + " could not run: " + e.getMessage());
                    }
                }
                return javaCheck(reference, dir, vectors, "no " + String.join(", ", missing) + " installed");
            }
            return javaCheck(reference, dir, vectors, "");
        }

        private Result javaCheck(IntModel reference, Path dir, int vectors, String note) throws IOException {
            IntegerModel loaded = runtime.load(Files.readAllBytes(dir.resolve("model.json")));
            int[][] inputs = TestVectors.all(reference, vectors, seed);
            long mismatches = 0;
            for (int[] in : inputs) {
                if (!Arrays.equals(reference.predict(in), loaded.predict(in))) {
                    mismatches++;
                }
            }
            return new Result("java", inputs.length, mismatches, note,
                    mismatches + " of " + inputs.length + " vectors differ");
        }
    }
}

package io.edgeloop.quantize.workflow;

import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.api.quantize.QuantizationRequest;
import io.edgeloop.api.quantize.QuantizerProvider;
import io.edgeloop.api.spi.ProviderLoader;
import io.edgeloop.api.target.TargetProfile;
import io.edgeloop.api.target.TargetProfiles;
import io.edgeloop.quantize.codegen.CCodeGenerator;
import io.edgeloop.quantize.importer.ModelReader;
import io.edgeloop.quantize.ir.FloatModel;
import io.edgeloop.quantize.parity.ParityHarness;
import io.edgeloop.quantize.parity.ParityResult;
import io.edgeloop.quantize.parity.ParityTarget;
import io.edgeloop.quantize.runtime.IntModel;
import io.edgeloop.quantize.runtime.ModelFormat;
import io.edgeloop.quantize.runtime.QuantizedArtifact;
import io.edgeloop.quantize.runtime.QuantizedDirectory;
import io.edgeloop.quantize.scheme.TreeInputScales;
import io.edgeloop.quantize.scheme.TreeThresholds;
import io.edgeloop.quantize.scheme.WeightScales;
import io.edgeloop.quantize.train.CsvData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The steps behind {@code edgeloop quantize}, {@code quantize eval} and {@code quantize parity}, on a
 * quantized-model directory. {@code quantize} also copies the float model into the directory as
 * {@value #FLOAT_MODEL}, so {@code eval} can compare float and quantized accuracy on the same rows.
 *
 * <p>Thread-safe: stateless.
 */
public final class QuantizeWorkflow {
    /** The name of the float model copy inside a quantized-model directory. */
    public static final String FLOAT_MODEL = "float-model";

    private QuantizeWorkflow() {
    }

    /**
     * Quantizes a model file with calibration rows from a CSV and writes the directory.
     *
     * @param modelFile   a {@code train} output
     * @param calibCsv    representative rows (the model's feature columns are used; others ignored)
     * @param scheme      {@code int8}, {@code int16} or {@code int32}
     * @param target      a target profile id
     * @param calibration {@code auto}, {@code min-max}, {@code percentile} or {@code mse}
     * @param weights     {@code int8} or {@code int16} (int16 scheme), or null for the default
     * @param out         the directory
     * @return the artifact written
     * @throws IOException when reading or writing fails
     */
    public static QuantizedArtifact quantize(Path modelFile, Path calibCsv, String scheme, String target,
            String calibration, String weights, Path out) throws IOException {
        return quantize(modelFile, calibCsv, scheme, target, calibration, weights, WeightScales.AUTO.id(), out);
    }

    /**
     * Like {@link #quantize(Path, Path, String, String, String, String, Path)}, choosing the weight scales.
     *
     * @param modelFile    a {@code train} output
     * @param calibCsv     representative rows (the model's feature columns are used; others ignored)
     * @param scheme       {@code int8}, {@code int16} or {@code int32}
     * @param target       a target profile id
     * @param calibration  {@code auto}, {@code min-max}, {@code percentile} or {@code mse}
     * @param weights      {@code int8} or {@code int16} (int16 scheme), or null for the default
     * @param weightScales {@code auto}, {@code per-channel} or {@code per-tensor}
     * @param out          the directory
     * @return the artifact written
     * @throws IOException when reading or writing fails
     */
    public static QuantizedArtifact quantize(Path modelFile, Path calibCsv, String scheme, String target,
            String calibration, String weights, String weightScales, Path out) throws IOException {
        return quantize(modelFile, calibCsv, scheme, target, calibration, weights, weightScales, out, List.of());
    }

    /**
     * Like {@link #quantize(Path, Path, String, String, String, String, String, Path)}, recording the float model's
     * provenance (for example read from its {@code <model>.provenance.json}) as parents of the quantized model's.
     *
     * @param modelFile    a {@code train} output
     * @param calibCsv     representative rows (the model's feature columns are used; others ignored)
     * @param scheme       {@code int8}, {@code int16} or {@code int32}
     * @param target       a target profile id
     * @param calibration  {@code auto}, {@code min-max}, {@code percentile} or {@code mse}
     * @param weights      {@code int8} or {@code int16} (int16 scheme), or null for the default
     * @param weightScales {@code auto}, {@code per-channel} or {@code per-tensor}
     * @param out          the directory
     * @param parents      the float model's provenance, possibly empty
     * @return the artifact written
     * @throws IOException when reading or writing fails
     */
    public static QuantizedArtifact quantize(Path modelFile, Path calibCsv, String scheme, String target,
            String calibration, String weights, String weightScales, Path out,
            List<io.edgeloop.api.provenance.Provenance> parents) throws IOException {
        return quantize(modelFile, ModelReader.readBytes(modelFile), calibCsv, scheme, target, calibration, weights,
                weightScales, out, parents);
    }

    /**
     * Like {@link #quantize(Path, Path, String, String, String, String, String, Path, List)}, on model bytes the
     * caller has already read (and, for example, checked against the model's provenance file): the model file is
     * not read again, so a file replaced after the check cannot be quantized, recorded or copied under the checked
     * provenance. The quantizer provider, which takes a file, is given a private copy of these bytes under the
     * model's file name.
     *
     * @param modelFile    the model file the bytes came from (its name is recorded; it is not read)
     * @param modelBytes   the model file's content
     * @param calibCsv     representative rows (the model's feature columns are used; others ignored)
     * @param scheme       {@code int8}, {@code int16} or {@code int32}
     * @param target       a target profile id
     * @param calibration  {@code auto}, {@code min-max}, {@code percentile} or {@code mse}
     * @param weights      {@code int8} or {@code int16} (int16 scheme), or null for the default
     * @param weightScales {@code auto}, {@code per-channel} or {@code per-tensor}
     * @param out          the directory
     * @param parents      the float model's provenance, possibly empty
     * @return the artifact written
     * @throws IOException when reading or writing fails
     */
    public static QuantizedArtifact quantize(Path modelFile, byte[] modelBytes, Path calibCsv, String scheme,
            String target, String calibration, String weights, String weightScales, Path out,
            List<io.edgeloop.api.provenance.Provenance> parents) throws IOException {
        return quantize(modelFile, modelBytes, calibCsv, scheme, target, calibration, weights, weightScales,
                TreeThresholds.EXACT.id(), out, parents);
    }

    /**
     * Like {@link #quantize(Path, byte[], Path, String, String, String, String, String, Path, List)}, choosing how
     * tree thresholds are mapped.
     *
     * @param modelFile      the model file the bytes came from (its name is recorded; it is not read)
     * @param modelBytes     the model file's content
     * @param calibCsv       representative rows (the model's feature columns are used; others ignored)
     * @param scheme         {@code int8}, {@code int16} or {@code int32}
     * @param target         a target profile id
     * @param calibration    {@code auto}, {@code min-max}, {@code percentile} or {@code mse}
     * @param weights        {@code int8} or {@code int16} (int16 scheme), or null for the default; networks only (a
     *                       tree ensemble with weights given is refused)
     * @param weightScales   {@code auto}, {@code per-channel} or {@code per-tensor}
     * @param treeThresholds {@code exact} (the default: every split decides as the float model on the value each
     *                       quantized input stands for) or {@code aligned} (drops that guarantee; see
     *                       {@link TreeThresholds})
     * @param out            the directory
     * @param parents        the float model's provenance, possibly empty
     * @return the artifact written
     * @throws IOException when reading or writing fails
     */
    public static QuantizedArtifact quantize(Path modelFile, byte[] modelBytes, Path calibCsv, String scheme,
            String target, String calibration, String weights, String weightScales, String treeThresholds, Path out,
            List<io.edgeloop.api.provenance.Provenance> parents) throws IOException {
        return quantize(modelFile, modelBytes, calibCsv, scheme, target, calibration, weights, weightScales,
                treeThresholds, TreeInputScales.FITTED.id(), out, parents);
    }

    /**
     * Like {@link #quantize(Path, byte[], Path, String, String, String, String, String, String, Path, List)},
     * choosing how a tree model's input scales are chosen.
     *
     * @param modelFile       the model file the bytes came from (its name is recorded; it is not read)
     * @param modelBytes      the model file's content
     * @param calibCsv        representative rows (the model's feature columns are used; others ignored)
     * @param scheme          {@code int8}, {@code int16} or {@code int32}
     * @param target          a target profile id
     * @param calibration     {@code auto}, {@code min-max}, {@code percentile} or {@code mse}
     * @param weights         {@code int8} or {@code int16} (int16 scheme), or null for the default; networks only
     * @param weightScales    {@code auto}, {@code per-channel} or {@code per-tensor}
     * @param treeThresholds  {@code exact} or {@code aligned} ({@link TreeThresholds})
     * @param treeInputScales {@code fitted} (the default) or {@code calibrated} ({@link TreeInputScales})
     * @param out             the directory
     * @param parents         the float model's provenance, possibly empty
     * @return the artifact written
     * @throws IOException when reading or writing fails
     */
    public static QuantizedArtifact quantize(Path modelFile, byte[] modelBytes, Path calibCsv, String scheme,
            String target, String calibration, String weights, String weightScales, String treeThresholds,
            String treeInputScales, Path out, List<io.edgeloop.api.provenance.Provenance> parents) throws IOException {
        return quantize(modelFile, modelBytes, calibCsv, scheme, target, calibration, weights, weightScales,
                treeThresholds, treeInputScales, CCodeGenerator.DEFAULT_PREFIX, out, parents);
    }

    /**
     * Like {@link #quantize(Path, byte[], Path, String, String, String, String, String, String, String, Path, List)},
     * naming the generated C symbols with a prefix of one's own.
     *
     * @param modelFile       the model file the bytes came from (its name is recorded; it is not read)
     * @param modelBytes      the model file's content
     * @param calibCsv        representative rows (the model's feature columns are used; others ignored)
     * @param scheme          {@code int8}, {@code int16} or {@code int32}
     * @param target          a target profile id
     * @param calibration     {@code auto}, {@code min-max}, {@code percentile} or {@code mse}
     * @param weights         {@code int8} or {@code int16} (int16 scheme), or null for the default; networks only
     * @param weightScales    {@code auto}, {@code per-channel} or {@code per-tensor}
     * @param treeThresholds  {@code exact} or {@code aligned} ({@link TreeThresholds})
     * @param treeInputScales {@code fitted} (the default) or {@code calibrated} ({@link TreeInputScales})
     * @param cPrefix         the C symbol prefix ({@link CCodeGenerator#CCodeGenerator(String)}; {@code edgeloop}
     *                        by default): {@code cPrefix_predict}, {@code CPREFIX_MODEL_INPUTS}, ...
     * @param out             the directory
     * @param parents         the float model's provenance, possibly empty
     * @return the artifact written
     * @throws IOException when reading or writing fails
     */
    public static QuantizedArtifact quantize(Path modelFile, byte[] modelBytes, Path calibCsv, String scheme,
            String target, String calibration, String weights, String weightScales, String treeThresholds,
            String treeInputScales, String cPrefix, Path out, List<io.edgeloop.api.provenance.Provenance> parents)
            throws IOException {
        CCodeGenerator.checkPrefix(cPrefix);
        WeightScales.of(weightScales);
        TreeThresholds.of(treeThresholds);
        TreeInputScales.of(treeInputScales);
        FloatModel fm = ModelReader.read(modelFile, modelBytes);
        if (weights != null && fm instanceof io.edgeloop.quantize.ir.TreeEnsembleModel) {
            throw new IllegalArgumentException("--weights " + weights + " sets a network's weight width; " + modelFile
                    + " is a tree ensemble, which has no weights (omit --weights)");
        }
        CsvData calib = CsvData.readColumns(calibCsv, fm.featureNames(), null);
        requireUsableScales(calibCsv, calib);
        ComponentConfig.Builder opts = ComponentConfig.builder().put("calibration", calibration)
                .put("weight-scales", weightScales).put("tree-thresholds", treeThresholds)
                .put("tree-input-scales", treeInputScales);
        if (weights != null) {
            opts.put("weights", weights);
        }
        QuantizerProvider p = ProviderLoader.of(QuantizerProvider.class).select(scheme);
        QuantizedArtifact a;
        // deleted on Ctrl-C too: a finally block does not run then, and every interrupted run left one in /tmp
        try (io.edgeloop.quantize.runtime.ScratchDirectory snapshotDir = io.edgeloop.quantize.runtime.ScratchDirectory
                .createTemp("edgeloop-quantize-")) {
            // A private copy (the temporary directory is the owner's alone) that nobody else can replace.
            Path snapshot = Files.write(snapshotDir.path().resolve(modelFile.getFileName().toString()), modelBytes);
            QuantizationRequest.Builder request = QuantizationRequest.builder()
                    .modelFile(snapshot).calibration(calib.rows()).target(TargetProfiles.load().of(target))
                    .options(opts.build()).createdAt(sourceDateEpoch(System.getenv("SOURCE_DATE_EPOCH")));
            parents.forEach(request::parent);
            a = (QuantizedArtifact) p.create(ComponentConfig.empty()).quantize(request.build());
        }
        write(a, CalibrationCheck.of(fm, a.model(), calib.rows()), Map.of(), modelBytes, cPrefix, out);
        return a;
    }

    /**
     * Refuses calibration rows that break {@link io.edgeloop.quantize.scheme.ColumnScale}'s rule (the one train
     * applies), naming the file, line, column and value: a single reading near 1e300 otherwise stretches the
     * feature's range until every real reading quantizes to one step (95.8 % to 79.0 % on the UCI occupancy data,
     * with every range method), and the command succeeded.
     */
    private static void requireUsableScales(Path file, CsvData d) {
        java.util.Optional<io.edgeloop.quantize.scheme.ColumnScale.Problem> bad =
                io.edgeloop.quantize.scheme.ColumnScale.firstProblem(d.rows());
        if (bad.isPresent()) {
            io.edgeloop.quantize.scheme.ColumnScale.Problem p = bad.get();
            throw new IllegalArgumentException(String.format(java.util.Locale.ROOT, "%s line %d (data row %d): column "
                    + "'%s' holds %s, which breaks calibration: the column's standard deviation is %s in double "
                    + "arithmetic (%s; train refuses such a column too), so no usable range can be calibrated; fix "
                    + "or remove that row", file, d.line(p.row()), p.row() + 1, d.features().get(p.column()),
                    p.value(), p.std(), p.cause()));
        }
    }

    /**
     * Writes the artifact and the float model's bytes as {@code out}, all at once ({@link QuantizedDirectory}):
     * a failure (the C not compiling, a model the generator refuses, a full disk) leaves an earlier {@code out} as it
     * was, with its own {@code report.json} and {@value #FLOAT_MODEL}, and no temporary directory.
     * {@code report.json} gains the {@link CalibrationCheck} as {@code calibrationCheck}, then {@code more}.
     */
    private static void write(QuantizedArtifact a, CalibrationCheck check, Map<String, Object> more,
            byte[] modelBytes, String cPrefix, Path out) throws IOException {
        Map<String, Object> members = new LinkedHashMap<>();
        members.put("calibrationCheck", check.toMap());
        members.putAll(more);
        if (!cPrefix.equals(CCodeGenerator.DEFAULT_PREFIX)) {
            // the default is left out: report.json of a directory written without a prefix has no such member
            members.put("cPrefix", cPrefix);
        }
        Map<String, byte[]> files = a.files(members, cPrefix);
        files.put(FLOAT_MODEL, modelBytes);
        QuantizedDirectory.write(out, files);
    }

    /**
     * Like {@link #quantize}, with quantization-aware fine-tuning first: the network is fine-tuned on the
     * calibration rows and their labels, then quantized. For networks only. The settings are checked by
     * {@link #requireQatSettings}; when the fine-tuned model agrees less with the float model on the calibration rows
     * than the float model quantized without fine-tuning, that one is written instead ({@code report.json}'s
     * {@code qat}, provenance setting {@code qat.kept}). Agreement is, for a classifier, the share of rows on which the
     * integer model decides as the float model ({@code agreement}, {@code ptqAgreement}); for a regression model, the
     * mean absolute difference of its outputs from the float model's ({@code meanAbsoluteError},
     * {@code ptqMeanAbsoluteError}, lower is better).
     *
     * @param modelFile   a {@code train} output (logistic) or an ONNX network
     * @param calibCsv    labelled rows: the fine-tuning and calibration data
     * @param label       the label column of {@code calibCsv}
     * @param epochs      fine-tuning epochs
     * @param learningRate fine-tuning step size
     * @param scheme      {@code int8}, {@code int16} or {@code int32}
     * @param target      a target profile id
     * @param calibration the range method
     * @param weights     weight width for int16, or null
     * @param out         the directory
     * @return the artifact written
     * @throws IOException when reading or writing fails
     */
    public static QuantizedArtifact quantizeWithQat(Path modelFile, Path calibCsv, String label, int epochs,
            double learningRate, String scheme, String target, String calibration, String weights, Path out)
            throws IOException {
        return quantizeWithQat(modelFile, calibCsv, label, epochs, learningRate, scheme, target, calibration, weights,
                WeightScales.AUTO.id(), out);
    }

    /**
     * Like {@link #quantizeWithQat(Path, Path, String, int, double, String, String, String, String, Path)},
     * choosing the weight scales.
     *
     * @param modelFile    a {@code train} output (logistic) or an ONNX network
     * @param calibCsv     labelled rows: the fine-tuning and calibration data
     * @param label        the label column of {@code calibCsv}
     * @param epochs       fine-tuning epochs
     * @param learningRate fine-tuning step size
     * @param scheme       {@code int8}, {@code int16} or {@code int32}
     * @param target       a target profile id
     * @param calibration  the range method
     * @param weights      weight width for int16, or null
     * @param weightScales {@code auto}, {@code per-channel} or {@code per-tensor}
     * @param out          the directory
     * @return the artifact written
     * @throws IOException when reading or writing fails
     */
    public static QuantizedArtifact quantizeWithQat(Path modelFile, Path calibCsv, String label, int epochs,
            double learningRate, String scheme, String target, String calibration, String weights, String weightScales,
            Path out) throws IOException {
        return quantizeWithQat(modelFile, calibCsv, label, epochs, learningRate, scheme, target, calibration, weights,
                weightScales, out, List.of());
    }

    /**
     * Like {@link #quantizeWithQat(Path, Path, String, int, double, String, String, String, String, String, Path)},
     * recording the float model's provenance as parents of the quantized model's.
     *
     * @param modelFile    a {@code train} output (logistic) or an ONNX network
     * @param calibCsv     labelled representative rows
     * @param label        the label column
     * @param epochs       fine-tuning epochs
     * @param learningRate fine-tuning learning rate
     * @param scheme       {@code int8}, {@code int16} or {@code int32}
     * @param target       a target profile id
     * @param calibration  {@code auto}, {@code min-max}, {@code percentile} or {@code mse}
     * @param weights      {@code int8} or {@code int16} (int16 scheme), or null for the default
     * @param weightScales {@code auto}, {@code per-channel} or {@code per-tensor}
     * @param out          the directory
     * @param parents      the float model's provenance, possibly empty
     * @return the artifact written
     * @throws IOException when reading or writing fails
     */
    public static QuantizedArtifact quantizeWithQat(Path modelFile, Path calibCsv, String label, int epochs,
            double learningRate, String scheme, String target, String calibration, String weights, String weightScales,
            Path out,
            List<io.edgeloop.api.provenance.Provenance> parents) throws IOException {
        return quantizeWithQat(modelFile, ModelReader.readBytes(modelFile), calibCsv, label, epochs, learningRate,
                scheme, target, calibration, weights, weightScales, out, parents);
    }

    /**
     * Like {@link #quantizeWithQat(Path, Path, String, int, double, String, String, String, String, String, Path,
     * List)}, on model bytes the caller has already read (and, for example, checked against the model's provenance
     * file): the model file is not read again.
     *
     * @param modelFile    the model file the bytes came from (its name is recorded; it is not read)
     * @param modelBytes   the model file's content
     * @param calibCsv     labelled representative rows
     * @param label        the label column
     * @param epochs       fine-tuning epochs
     * @param learningRate fine-tuning learning rate
     * @param scheme       {@code int8}, {@code int16} or {@code int32}
     * @param target       a target profile id
     * @param calibration  {@code auto}, {@code min-max}, {@code percentile} or {@code mse}
     * @param weights      {@code int8} or {@code int16} (int16 scheme), or null for the default
     * @param weightScales {@code auto}, {@code per-channel} or {@code per-tensor}
     * @param out          the directory
     * @param parents      the float model's provenance, possibly empty
     * @return the artifact written
     * @throws IOException when reading or writing fails
     */
    public static QuantizedArtifact quantizeWithQat(Path modelFile, byte[] modelBytes, Path calibCsv, String label,
            int epochs, double learningRate, String scheme, String target, String calibration, String weights,
            String weightScales, Path out, List<io.edgeloop.api.provenance.Provenance> parents) throws IOException {
        return quantizeWithQat(modelFile, modelBytes, calibCsv, label, epochs, learningRate, scheme, target,
                calibration, weights, weightScales, CCodeGenerator.DEFAULT_PREFIX, out, parents);
    }

    /**
     * Like {@link #quantizeWithQat(Path, byte[], Path, String, int, double, String, String, String, String, String,
     * Path, List)}, naming the generated C symbols with a prefix of one's own.
     *
     * @param modelFile    the model file the bytes came from (its name is recorded; it is not read)
     * @param modelBytes   the model file's content
     * @param calibCsv     labelled representative rows
     * @param label        the label column
     * @param epochs       fine-tuning epochs
     * @param learningRate fine-tuning learning rate
     * @param scheme       {@code int8}, {@code int16} or {@code int32}
     * @param target       a target profile id
     * @param calibration  {@code auto}, {@code min-max}, {@code percentile} or {@code mse}
     * @param weights      {@code int8} or {@code int16} (int16 scheme), or null for the default
     * @param weightScales {@code auto}, {@code per-channel} or {@code per-tensor}
     * @param cPrefix      the C symbol prefix ({@link CCodeGenerator#CCodeGenerator(String)}; {@code edgeloop} by
     *                     default)
     * @param out          the directory
     * @param parents      the float model's provenance, possibly empty
     * @return the artifact written
     * @throws IOException when reading or writing fails
     */
    public static QuantizedArtifact quantizeWithQat(Path modelFile, byte[] modelBytes, Path calibCsv, String label,
            int epochs, double learningRate, String scheme, String target, String calibration, String weights,
            String weightScales, String cPrefix, Path out, List<io.edgeloop.api.provenance.Provenance> parents)
            throws IOException {
        CCodeGenerator.checkPrefix(cPrefix);
        requireQatSettings(epochs, learningRate);
        WeightScales ws = WeightScales.of(weightScales);
        FloatModel fm = ModelReader.read(modelFile, modelBytes);
        if (!(fm instanceof io.edgeloop.quantize.ir.NetworkModel)) {
            throw new IllegalArgumentException("--qat fine-tunes linear models and dense nets; " + modelFile + " is a "
                    + fm.kind());
        }
        // One read of the CSV: the rows, their labels and the digest recorded as the provenance input are the same
        // bytes. Reading the file again for the digest let a CSV replaced in between be recorded under the digest of
        // a file that was not the one fine-tuned and calibrated on.
        byte[] calibBytes = CsvData.readFile(calibCsv);
        CsvData d = CsvData.readColumns(calibCsv, calibBytes, fm.featureNames(), label);
        requireUsableScales(calibCsv, d);
        double[] y = new double[d.size()];
        for (int i = 0; i < y.length; i++) {
            String l = d.labels().get(i);
            if (fm.isClassifier()) {
                y[i] = fm.classNames().indexOf(l);
                if (y[i] < 0) {
                    throw new IllegalArgumentException("Label '" + l + "' on row " + (i + 1) + " is not a class of the model "
                            + fm.classNames());
                }
            } else {
                y[i] = Double.parseDouble(l);
            }
        }
        io.edgeloop.quantize.scheme.Scheme s = io.edgeloop.quantize.scheme.Scheme.of(scheme, weights);
        io.edgeloop.quantize.scheme.Calibration cal = io.edgeloop.quantize.scheme.Calibration.of(calibration);
        // tuned for the input ranges the quantizer below will choose (min-max for auto, which chooses after tuning)
        io.edgeloop.quantize.ir.NetworkModel tuned = new io.edgeloop.quantize.qat.QatTrainer(s, epochs, learningRate, 1,
                cal).fineTune((io.edgeloop.quantize.ir.NetworkModel) fm, d.rows(), y);
        io.edgeloop.quantize.scheme.ModelQuantizer.Result qat = new io.edgeloop.quantize.scheme.ModelQuantizer(s,
                cal, ws).quantizeDetailed(tuned, d.rows());
        // QAT exists to reach a budget plain PTQ misses; a learning rate that is too large for the data makes it
        // worse instead (--qat-lr 0.01 on the UCI occupancy rows: 61.7 % agreement with the float model, PTQ 99.99 %).
        // Keep whichever integer model agrees better with the float model on the calibration rows (QAT on a tie):
        // for a classifier the rows on which it decides as the float model, for a regression model the mean absolute
        // difference of its outputs from the float model's (without a figure, QAT was always kept there).
        io.edgeloop.quantize.scheme.ModelQuantizer.Result ptq = new io.edgeloop.quantize.scheme.ModelQuantizer(s,
                cal, ws).quantizeDetailed(fm, d.rows());
        Map<String, Object> qatReport = new LinkedHashMap<>();
        qatReport.put("epochs", epochs);
        qatReport.put("learningRate", learningRate);
        boolean keepPtq;
        String figure;
        double qatFigure;
        double ptqFigure;
        if (fm.isClassifier()) {
            figure = "agreement";
            qatFigure = CalibrationCheck.of(fm, qat.model(), d.rows()).agreement().orElseThrow();
            ptqFigure = CalibrationCheck.of(fm, ptq.model(), d.rows()).agreement().orElseThrow();
            keepPtq = ptqFigure > qatFigure;
        } else {
            figure = "meanAbsoluteError";
            qatFigure = CalibrationCheck.meanAbsoluteError(fm, qat.model(), d.rows());
            ptqFigure = CalibrationCheck.meanAbsoluteError(fm, ptq.model(), d.rows());
            keepPtq = ptqFigure < qatFigure;
        }
        qatReport.put(figure, qatFigure);
        qatReport.put("ptq" + Character.toUpperCase(figure.charAt(0)) + figure.substring(1), ptqFigure);
        qatReport.put("kept", keepPtq ? "ptq" : "qat");
        io.edgeloop.quantize.scheme.ModelQuantizer.Result r = keepPtq ? ptq : qat;
        io.edgeloop.api.provenance.Provenance.Builder pb = io.edgeloop.api.provenance.Provenance
                .capture("quantized-model", QuantizeWorkflow.class)
                .setting("scheme", scheme).setting("weights", s.weightBits())
                .setting("calibration", r.calibration().id()).setting("weightScales", ws.id())
                .setting("biasCorrection", "true").setting("target", target).setting("rounding", "single")
                .setting("qat.epochs", epochs).setting("qat.learningRate", learningRate)
                .setting("qat.kept", keepPtq ? "ptq" : "qat").setting("qat." + figure, qatFigure)
                .setting("qat.ptq." + figure, ptqFigure).seed(1)
                .input(modelFile.getFileName().toString(), io.edgeloop.api.provenance.Sha256.hex(modelBytes),
                        modelBytes.length)
                .input(calibCsv.getFileName().toString(), io.edgeloop.api.provenance.Sha256.hex(calibBytes),
                        calibBytes.length)
                .createdAt(java.util.Objects.requireNonNullElseGet(
                        sourceDateEpoch(System.getenv("SOURCE_DATE_EPOCH")), java.time.Instant::now));
        parents.forEach(pb::parent);
        io.edgeloop.api.provenance.Provenance p = pb.build();
        QuantizedArtifact a = new QuantizedArtifact(r.model(), TargetProfiles.load().of(target), r.calibration().id(), p);
        write(a, CalibrationCheck.of(fm, a.model(), d.rows()), Map.of("qat", qatReport), modelBytes, cPrefix,
                out);
        return a;
    }

    /** The most QAT epochs {@link #quantizeWithQat} runs (500 times the CLI's default of 2; see below). */
    public static final int MAX_QAT_EPOCHS = 1000;

    /** The largest QAT learning rate {@link #quantizeWithQat} accepts (see below). */
    public static final double MAX_QAT_LEARNING_RATE = 1.0;

    /**
     * Refuses QAT settings outside their range, naming {@code edgeloop quantize}'s options. An epoch is one
     * full-batch step of {@code learningRate x rows} (ARCHITECTURE, "QAT tunes for the calibration that follows"):
     * a rate above 1 makes the step larger than the row count, where the default (1e-4 on 8,143 rows, a step of 0.81)
     * is reached with a rate of 0.81 on a single row; on the UCI occupancy rows 0.01 already drops agreement with the
     * float model to 61.7 %. Agreement is flat from 10 to 1,000 epochs there (99.99 to 99.98 %; 1,000 took 2 s), so
     * more epochs only cost time.
     *
     * @param epochs       fine-tuning epochs, 1 to {@link #MAX_QAT_EPOCHS}
     * @param learningRate fine-tuning learning rate, finite, above 0 and at most {@link #MAX_QAT_LEARNING_RATE}
     * @throws IllegalArgumentException naming the option, the value and the range
     */
    public static void requireQatSettings(int epochs, double learningRate) {
        if (epochs < 1 || epochs > MAX_QAT_EPOCHS) {
            throw new IllegalArgumentException("--qat-epochs " + epochs + " is out of range: give 1 to "
                    + MAX_QAT_EPOCHS + " (default 2; each epoch is one full-batch step over the --calib rows)");
        }
        if (!(learningRate > 0) || learningRate > MAX_QAT_LEARNING_RATE) {
            throw new IllegalArgumentException("--qat-lr " + (Double.isInfinite(learningRate)
                    ? "Infinity (too large for a double)" : learningRate) + " is out of range: give a number above 0 "
                    + "and at most " + MAX_QAT_LEARNING_RATE + " (default 0.0001: a per-row rate, the step is rate x "
                    + "rows)");
        }
    }

    /**
     * @param dir a quantized-model directory
     * @return its artifact
     * @throws IOException when {@code model.json} is missing or invalid
     */
    public static QuantizedArtifact load(Path dir) throws IOException {
        Path f = dir.resolve("model.json");
        if (!Files.isRegularFile(f)) {
            throw new IOException(dir + " is not a quantized-model directory: model.json is missing");
        }
        try {
            return ModelFormat.fromBytes(Files.readAllBytes(f));
        } catch (IOException e) {
            if (e instanceof java.nio.file.FileSystemException) {
                throw e;
            }
            throw new IOException(f + ": " + e.getMessage(), e);
        }
    }

    /**
     * Accuracy of the float model and the quantized model on the same rows, in percent.
     *
     * @param dir   a quantized-model directory (with {@value #FLOAT_MODEL})
     * @param csv   labelled rows
     * @param label the label column
     * @return {@code {"rows", "float": {"accuracy"}, "quantized": {"accuracy"}, "agreement"}}
     * @throws IOException              when files are missing or invalid
     * @throws IllegalArgumentException when a label is not a class of the model (listing them)
     */
    public static Map<String, Object> eval(Path dir, Path csv, String label) throws IOException {
        IntModel im = load(dir).model();
        if (im.classNames().isEmpty()) {
            throw new IllegalArgumentException("quantize eval measures classification accuracy; " + dir
                    + " holds a regression model");
        }
        Path fmFile = dir.resolve(FLOAT_MODEL);
        FloatModel fm = ModelReader.read(fmFile);
        CsvData d = CsvData.readColumns(csv, im.featureNames(), label);
        java.util.Set<String> unknown = new java.util.TreeSet<>(d.labels());
        unknown.removeAll(im.classNames());
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("Labels " + unknown + " in column '" + label + "' of " + csv
                    + " are not classes of the model " + im.classNames() + "; accuracy would count those rows as wrong");
        }
        int okF = 0;
        int okQ = 0;
        int agree = 0;
        for (int i = 0; i < d.size(); i++) {
            double[] x = d.row(i);
            String truth = d.labels().get(i);
            int f = fm.predictClass(x);
            int q = im.predictClass(im.input().quantize(x));
            okF += fm.classNames().get(f).equals(truth) ? 1 : 0;
            okQ += im.classNames().get(q).equals(truth) ? 1 : 0;
            agree += fm.classNames().get(f).equals(im.classNames().get(q)) ? 1 : 0;
        }
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("rows", d.size());
        r.put("float", Map.of("accuracy", 100.0 * okF / d.size()));
        r.put("quantized", Map.of("accuracy", 100.0 * okQ / d.size()));
        r.put("agreement", 100.0 * agree / d.size());
        return r;
    }

    /**
     * Runs the parity harness on a directory's model: the directory's own {@code model.h} and {@code model.c}
     * (what ships) are compiled and compared with the Java runtime of its {@code model.json}, so an edited or
     * corrupted C file shows up as mismatches.
     *
     * @param dir     a quantized-model directory
     * @param target  {@code host}, a built-in profile id ({@code avr8}, {@code cortex-m0}, {@code cortex-m3},
     *                {@code cortex-m4f}; {@code jvm} runs on the host) or a board's own id: the model's own or one a
     *                provider on the class path supplies
     * @param vectors how many vectors, 1 to {@link #MAX_PARITY_VECTORS}
     * @param seed    the seed
     * @return the result
     * @throws IOException              when tools are missing or the run fails
     * @throws IllegalArgumentException when {@code vectors} is out of range
     */
    public static ParityResult parity(Path dir, String target, int vectors, long seed) throws IOException {
        if (vectors < 1 || vectors > MAX_PARITY_VECTORS) {
            throw new IllegalArgumentException("--vectors " + vectors + " is out of range: give 1 to "
                    + MAX_PARITY_VECTORS + " (10,000 takes seconds on the host, about a minute in simavr)");
        }
        QuantizedArtifact artifact = load(dir);
        IntModel model = artifact.model();
        TargetProfile profile = parityProfile(artifact, target);
        String[] src = new String[2];
        String[] names = {"model.h", "model.c"};
        for (int i = 0; i < 2; i++) {
            Path f = dir.resolve(names[i]);
            if (!Files.isRegularFile(f)) {
                throw new IOException(dir + " has no " + names[i] + "; re-run edgeloop quantize to write the C sources");
            }
            src[i] = Files.readString(f, java.nio.charset.StandardCharsets.UTF_8);
        }
        return new ParityHarness().run(model, new io.edgeloop.quantize.codegen.GeneratedSources(src[0], src[1]),
                profile, vectors, seed);
    }

    /**
     * The profile {@code quantize parity --target} names: {@code host} (the host compiler, natively), the model's own
     * profile when the id is the one it was quantized for (a board of one's own needs no provider then), else a
     * built-in or provided profile ({@link TargetProfiles}).
     */
    private static TargetProfile parityProfile(QuantizedArtifact artifact, String target) {
        String id = target.trim().toLowerCase(java.util.Locale.ROOT);
        if (id.equals(ParityTarget.HOST.id())) {
            return TargetProfile.JVM;
        }
        if (id.equals(artifact.target().id())) {
            return artifact.target();
        }
        try {
            return TargetProfiles.load().of(id);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage().replace("known profiles: ", "known targets: host, "), e);
        }
    }

    /** The most vectors {@link #parity} runs in one call (ten million: hours in a simulator, minutes on the host). */
    public static final int MAX_PARITY_VECTORS = 10_000_000;

    /**
     * Reads the reproducible-builds convention {@code SOURCE_DATE_EPOCH} (seconds since 1970, UTC): when set, it is
     * the creation time written into the quantized model's provenance, so two runs on the same inputs write
     * byte-identical directories.
     *
     * @param value the variable's value, or null when unset
     * @return the instant, or null when unset or blank
     * @throws IllegalArgumentException when the value is not a non-negative whole number of seconds
     */
    public static java.time.Instant sourceDateEpoch(String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            long seconds = Long.parseLong(value.trim());
            if (seconds < 0) {
                throw new NumberFormatException();
            }
            return java.time.Instant.ofEpochSecond(seconds);
        } catch (NumberFormatException | java.time.DateTimeException e) {
            throw new IllegalArgumentException("SOURCE_DATE_EPOCH must be a whole number of seconds since "
                    + "1970-01-01T00:00:00Z, got '" + value + "'");
        }
    }
}

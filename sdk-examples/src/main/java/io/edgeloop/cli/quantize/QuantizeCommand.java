package io.edgeloop.cli.quantize;

import io.edgeloop.api.provenance.Provenance;
import io.edgeloop.api.spi.ProviderLoader;
import io.edgeloop.api.quantize.QuantizerProvider;
import io.edgeloop.cli.OutputPath;
import io.edgeloop.cli.PathOption;
import io.edgeloop.labeling.train.ProvenanceFiles;
import io.edgeloop.ota.bundle.PrintableText;
import io.edgeloop.quantize.codegen.CCodeGenerator;
import io.edgeloop.quantize.importer.ModelReader;
import io.edgeloop.quantize.runtime.QuantizedArtifact;
import io.edgeloop.quantize.runtime.ModelFormat;
import io.edgeloop.quantize.workflow.QuantizeWorkflow;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code edgeloop quantize}: quantizes a model into a quantized-model directory ({@code model.json}, C sources,
 * report, golden vectors); subcommands {@code eval} and {@code parity} check a directory.
 *
 * <p>Not thread-safe: one instance per invocation.
 */
@Command(name = "quantize", mixinStandardHelpOptions = true,
        description = "Quantize models, evaluate them and check parity on targets.",
        subcommands = {
            QuantizeEvalCommand.class,
            QuantizeParityCommand.class,
        })
public final class QuantizeCommand implements Callable<Integer> {
    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Option(names = "--model", paramLabel = "MODEL", description = "A model written by 'edgeloop train' (or by "
            + "EndModel.write: its MODEL.provenance.json is checked against MODEL and recorded as the quantized "
            + "model's provenance parent), or an ONNX file (.onnx: Gemm/MatMul/Add/Relu/Sigmoid/Softmax chains or "
            + "TreeEnsembleClassifier/Regressor).")
    private Path model;

    @Option(names = "--calib", paramLabel = "CSV", description = "Representative rows (the model's feature columns).")
    private Path calib;

    @Option(names = "--scheme", paramLabel = "SCHEME", description = "int8, int16 or int32.")
    private String scheme;

    @Option(names = "--target", paramLabel = "TARGET", description = "avr8, cortex-m0, cortex-m3, cortex-m4f, jvm, or a "
            + "board's own profile id supplied by a TargetProfileProvider jar on the class path (next to Edgeloop's).")
    private String target;

    @Option(names = "--calibration", defaultValue = "auto", paramLabel = "METHOD",
            description = "auto, min-max, percentile or mse (default: ${DEFAULT-VALUE}).")
    private String calibration;

    @Option(names = "--weights", paramLabel = "WIDTH", description = "Weight width for int16: int8 or int16 (default int16).")
    private String weights;

    @Option(names = "--weight-scales", defaultValue = "auto", paramLabel = "MODE",
            description = "auto, per-channel or per-tensor weight scales for dense layers (default: ${DEFAULT-VALUE}: "
                    + "per-tensor where it is smaller and the calibration rows' agreement with the float model drops "
                    + "by at most 0.1 points or stays above 100 minus half the scheme's accuracy budget).")
    private String weightScales;

    @Option(names = "--tree-thresholds", defaultValue = "exact", paramLabel = "MODE",
            description = "exact or aligned (default: ${DEFAULT-VALUE}: every tree split decides as the float model on "
                    + "the value each quantized input stands for). aligned moves thresholds by less than one input "
                    + "step so calibration readings keep their side, and DROPS that guarantee.")
    private String treeThresholds;

    @Option(names = "--tree-input-scales", defaultValue = "fitted", paramLabel = "MODE",
            description = "fitted or calibrated (default: ${DEFAULT-VALUE}: an int16 or int32 tree's input scales "
                    + "are chosen, up to 1.1x (int16) or 2x (int32) the calibrated scale, so calibration readings next "
                    + "to a threshold decide as the float model does; thresholds stay exact). calibrated keeps the "
                    + "calibrated range's scale.")
    private String treeInputScales;

    @Option(names = "--c-prefix", defaultValue = CCodeGenerator.DEFAULT_PREFIX, paramLabel = "NAME",
            description = "Prefix of the C names in model.h and model.c (default: ${DEFAULT-VALUE}): NAME_predict, "
                    + "NAME_input_t, NAME_MODEL_INPUTS, include guard NAME_MODEL_H. Give each model of one firmware "
                    + "its own. Lower-case letters, digits and single _ (not at the end), starting with a letter, at most "
                    + CCodeGenerator.MAX_PREFIX_LENGTH + " characters.")
    private String cPrefix;

    @Option(names = "--out", paramLabel = "DIR", description = "The quantized-model directory to write.")
    private Path out;

    @Option(names = "--qat-label", paramLabel = "COLUMN",
            description = "Fine-tune with quantization-aware training on --calib first, with this label column "
                    + "(linear models and dense nets).")
    private String qatLabel;

    @Option(names = "--qat-epochs", defaultValue = "2", description = "QAT epochs, 1 to 1000 (default: "
            + "${DEFAULT-VALUE}).")
    private int qatEpochs;

    @Option(names = "--qat-lr", defaultValue = "0.0001", description = "QAT learning rate, above 0 and at most 1 "
            + "(default: ${DEFAULT-VALUE}). When the QAT model agrees less with the float model on the --calib rows "
            + "than plain post-training quantization, the PTQ model is written instead, with a warning.")
    private double qatLr;

    /**
     * Refuses a {@code --scheme} no quantizer on the class path is named, naming the option and the schemes there
     * are: the loader's own message named the SPI ("No QuantizerProvider named 'int4'"), not the option. With no
     * quantizer at all, the loader's message (which names the artifact to add) is left to the workflow.
     */
    static void refuseUnknownScheme(String scheme) {
        List<String> schemes = new java.util.ArrayList<>(ProviderLoader.of(QuantizerProvider.class).names());
        if (!schemes.isEmpty() && !schemes.contains(scheme)) {
            // int8, int16, int32: by width, not as strings
            schemes.sort(java.util.Comparator.comparingInt(String::length)
                    .thenComparing(java.util.Comparator.naturalOrder()));
            throw new IllegalArgumentException("--scheme " + PrintableText.of(scheme) + " is not available; choose "
                    + String.join(", ", schemes));
        }
    }

    @Override
    public Integer call() throws Exception {
        if (model == null && calib == null && scheme == null && target == null && out == null) {
            CommandLine cl = spec.commandLine();
            cl.usage(cl.getErr());
            return io.edgeloop.cli.Edgeloop.EXIT_USAGE;
        }
        List<String> missing = new java.util.ArrayList<>();
        Object[][] required = {{"--model", model}, {"--calib", calib}, {"--scheme", scheme}, {"--target", target},
            {"--out", out}};
        for (Object[] r : required) {
            if (r[1] == null) {
                missing.add((String) r[0]);
            }
        }
        if (!missing.isEmpty()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "quantize needs --model, --calib, --scheme, "
                    + "--target and --out; missing: " + String.join(", ", missing));
        }
        for (Object[] r : required) {
            PathOption.requireNonEmpty((String) r[0], r[1] instanceof Path p ? p : null);
        }
        refuseUnknownScheme(scheme);
        try {
            CCodeGenerator.checkPrefix(cPrefix);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--c-prefix: " + e.getMessage(), e);
        }
        // --out is replaced whole: it must be neither an input nor hold one (the model's provenance file included).
        for (Path in : new Path[] {model, calib}) {
            String option = in == model ? "--model" : "--calib";
            OutputPath.refuseInput("--out", out, option, in);
            OutputPath.refuseInputInside("--out", out, option, in);
        }
        OutputPath.refuseInputInside("--out", out, "--model's provenance file", ProvenanceFiles.fileFor(model));
        // A model written with its provenance file (EndModel.write) passes that provenance on: the quantized model
        // then names the end model, its labels and the expert answers. The file must still match the model. The
        // model is read once, and those bytes are both checked and quantized: checking the file and then reading it
        // again let a model replaced in between be quantized under the old provenance.
        byte[] modelBytes = ModelReader.readBytes(model);
        Path provenanceFile = ProvenanceFiles.fileFor(model);
        List<Provenance> parents = Files.exists(provenanceFile) ? List.of(ProvenanceFiles.read(model, modelBytes))
                : List.of();
        QuantizedArtifact a = qatLabel == null
                ? QuantizeWorkflow.quantize(model, modelBytes, calib, scheme, target, calibration, weights,
                        weightScales, treeThresholds, treeInputScales, cPrefix, out, parents)
                : QuantizeWorkflow.quantizeWithQat(model, modelBytes, calib, qatLabel, qatEpochs, qatLr, scheme,
                        target, calibration, weights, weightScales, cPrefix, out, parents);
        String report = Files.readString(out.resolve("report.json"), StandardCharsets.UTF_8);
        spec.commandLine().getOut().println("wrote " + out + " (" + a.model().kind() + ", " + a.scheme() + ", "
                + a.target().id() + ", calibration " + a.calibration() + ", format " + ModelFormat.FORMAT + " "
                + ModelFormat.FORMAT_VERSION + (parents.isEmpty() ? "" : ", provenance parent from "
                + provenanceFile) + ")");
        spec.commandLine().getOut().println(report.trim());
        spec.commandLine().getOut().flush();
        // the calibration check's warnings (a feature the chosen input range squeezes into a few steps) go to the
        // error stream, after the report, so a script reading the report from stdout still gets it whole
        io.edgeloop.quantize.workflow.CalibrationCheck.fromReport(report.getBytes(StandardCharsets.UTF_8))
                .ifPresent(c -> c.warnings(a.calibration()).forEach(w -> spec.commandLine().getErr().println("edgeloop: " + w)));
        if (a.target().core() == io.edgeloop.api.target.CpuCore.AVR && "int32".equals(a.scheme())) {
            // the header says so too, but a firmware engineer reads the terminal first
            spec.commandLine().getErr().println("edgeloop: warning: --scheme int32 on " + a.target().id() + ": the "
                    + "input rule in model.h (" + cPrefix + "_quantize_inputs) needs 64-bit double, and avr-gcc's "
                    + "double is 32 bits: readings quantized on the device can be many steps off; quantize them on a "
                    + "host, or use int8 (exact in practice) or int16 (a reading near a half step can be one step off)");
        }
        com.fasterxml.jackson.databind.JsonNode doc = new com.fasterxml.jackson.databind.ObjectMapper().readTree(report);
        // "fits": false was only in the JSON, easy to miss in a long report; the exit code stays 0 (the output is
        // written and valid, a smaller model or a larger part are the user's call)
        if (doc.path("fits").isBoolean() && !doc.path("fits").asBoolean()) {
            spec.commandLine().getErr().println("edgeloop: warning: " + doesNotFit(doc, a.target().id()));
        }
        com.fasterxml.jackson.databind.JsonNode qat = doc.path("qat");
        if ("ptq".equals(qat.path("kept").asText())) {
            String figures = qat.has("agreement") ? String.format(java.util.Locale.ROOT, "agreed with the float "
                    + "model on %.2f %% of the --calib rows, plain post-training quantization on %.2f %%",
                    qat.path("agreement").asDouble(), qat.path("ptqAgreement").asDouble())
                    : String.format(java.util.Locale.ROOT, "was off the float model's outputs by %.6g on average "
                    + "over the --calib rows, plain post-training quantization by %.6g",
                    qat.path("meanAbsoluteError").asDouble(), qat.path("ptqMeanAbsoluteError").asDouble());
            spec.commandLine().getErr().println(String.format(java.util.Locale.ROOT, "edgeloop: warning: QAT "
                    + "(--qat-epochs %d, --qat-lr %s) %s: wrote the PTQ model instead (report.json: qat); "
                    + "try a smaller --qat-lr", qatEpochs, qat.path("learningRate").asText(), figures));
        }
        spec.commandLine().getErr().flush();
        return 0;
    }

    /** The size report's verdict in one line: measured flash and RAM against the part's, else its fitsNote. */
    static String doesNotFit(com.fasterxml.jackson.databind.JsonNode report, String target) {
        String where = " (report.json: \"fits\": false)";
        if (report.path("flashBytes").isNumber() && report.path("ramBytesWithBuffers").isNumber()) {
            return String.format(java.util.Locale.ROOT, "the model does not fit %s: flash %d B needed, %d B "
                    + "available; RAM %d B needed (with the caller's input and output arrays), %d B available%s",
                    target, report.path("flashBytes").asLong(), report.path("targetFlashBytes").asLong(),
                    report.path("ramBytesWithBuffers").asLong(), report.path("targetRamBytes").asLong(), where);
        }
        return "the model " + report.path("fitsNote").asText("does not fit " + target) + where;
    }
}

package io.edgeloop.quantize.runtime;

import io.edgeloop.api.provenance.Provenance;
import io.edgeloop.api.quantize.QuantizedModel;
import io.edgeloop.api.target.TargetProfile;
import io.edgeloop.quantize.codegen.CCodeGenerator;
import io.edgeloop.quantize.codegen.GeneratedSources;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A quantized model with its target, calibration method and provenance: the {@link QuantizedModel} the
 * quantizers return, and what {@code model.json} holds ({@link ModelFormat}).
 *
 * <p>Thread-safe: immutable.
 */
public final class QuantizedArtifact implements QuantizedModel {
    private final IntModel model;
    private final TargetProfile target;
    private final String calibration;
    private final Provenance provenance;

    /**
     * @param model       the integer model
     * @param target      the target
     * @param calibration the calibration method id
     * @param provenance  provenance of kind {@code quantized-model}
     */
    public QuantizedArtifact(IntModel model, TargetProfile target, String calibration, Provenance provenance) {
        this.model = Objects.requireNonNull(model, "model");
        this.target = Objects.requireNonNull(target, "target");
        this.calibration = Objects.requireNonNull(calibration, "calibration");
        this.provenance = Objects.requireNonNull(provenance, "provenance");
    }

    /** @return the integer model */
    public IntModel model() {
        return model;
    }

    /** @return the calibration method id */
    public String calibration() {
        return calibration;
    }

    @Override
    public String scheme() {
        return model.scheme();
    }

    @Override
    public TargetProfile target() {
        return target;
    }

    @Override
    public Provenance provenance() {
        return provenance;
    }

    @Override
    public int inputSize() {
        return model.inputSize();
    }

    @Override
    public int outputSize() {
        return model.outputSize();
    }

    @Override
    public void predict(int[] input, int[] output) {
        model.predict(input, output);
    }

    /**
     * Writes {@code model.json}, {@code model.h}, {@code model.c}, {@code report.json} and {@code golden.json} as the
     * directory {@code dir}, all at once ({@link QuantizedDirectory}): everything is generated (and the C compiled
     * for the size report) before anything is written, the files go into a temporary directory beside {@code dir}
     * that replaces it only when complete, and an existing {@code dir} is replaced only when it is an earlier
     * quantize output. A failure leaves {@code dir} as it was.
     *
     * @param dir the directory
     * @throws IOException when writing fails, or {@code dir} exists and is not an earlier quantize output
     */
    @Override
    public void writeTo(Path dir) throws IOException {
        QuantizedDirectory.write(dir, files());
    }

    /**
     * The contents of a quantized-model directory, generated in memory: {@code model.json}, {@code model.h},
     * {@code model.c}, {@code golden.json} and {@code report.json}, in that order.
     *
     * @return file name to contents (a new mutable map)
     * @throws java.io.UncheckedIOException when the target compiler rejects the generated code
     */
    public Map<String, byte[]> files() {
        return files(Map.of());
    }

    /**
     * The same contents, with more members in {@code report.json}.
     *
     * @param reportMembers members appended to {@code report.json} after the size report and {@code modelSha256}
     *                      (such as {@code edgeloop quantize}'s {@code calibrationCheck}); values as
     *                      {@link ModelFormat#json} writes them
     * @return file name to contents (a new mutable map)
     * @throws java.io.UncheckedIOException when the target compiler rejects the generated code
     */
    public Map<String, byte[]> files(Map<String, ?> reportMembers) {
        return files(reportMembers, CCodeGenerator.DEFAULT_PREFIX);
    }

    /**
     * The same contents, with the C names starting with {@code cPrefix}
     * ({@link CCodeGenerator#CCodeGenerator(String)}): two models with different prefixes link into one firmware.
     *
     * @param reportMembers members appended to {@code report.json}, as for {@link #files(Map)}
     * @param cPrefix       the C symbol prefix ({@code edgeloop} gives the files {@link #files(Map)} gives)
     * @return file name to contents (a new mutable map)
     * @throws IllegalArgumentException   when the prefix is not a valid C name ({@link CCodeGenerator#checkPrefix})
     * @throws java.io.UncheckedIOException when the target compiler rejects the generated code
     */
    public Map<String, byte[]> files(Map<String, ?> reportMembers, String cPrefix) {
        Objects.requireNonNull(reportMembers, "reportMembers");
        CCodeGenerator generator = new CCodeGenerator(cPrefix);
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("model.json", ModelFormat.toBytes(this));
        GeneratedSources src = generator.generate(model, target);
        Map<String, Object> sizes = new LinkedHashMap<>(SizeReport.of(this, src).toMap());
        // the report names the functions and types the shipped sources declare
        sizes.put("fitsCounts", SizeReport.fitsCounts(generator.prefix()));
        // the header states report.json's figures: a comment, so the sources measured are the sources shipped
        files.put("model.h", generator.withSizes(src.header(), target, sizes).getBytes(StandardCharsets.UTF_8));
        files.put("model.c", src.source().getBytes(StandardCharsets.UTF_8));
        int[][] inputs = GoldenVectors.inputs(model, 64, 0x5eedL);
        int[][] outputs = new int[inputs.length][];
        for (int i = 0; i < inputs.length; i++) {
            outputs[i] = model.predict(inputs[i]);
        }
        Map<String, Object> golden = new LinkedHashMap<>();
        golden.put("inputs", inputs);
        golden.put("outputs", outputs);
        files.put("golden.json", ModelFormat.json(golden));
        Map<String, Object> report = new LinkedHashMap<>(sizes);
        // binds the report (and whoever packages the directory) to these model.json bytes: a model.json changed
        // afterwards (one flipped digit of an input scale stays valid JSON, loads, and passes the integer golden
        // vectors, which never use the scales) is refused by bundle create instead of signed
        report.put("modelSha256", io.edgeloop.api.provenance.Sha256.hex(files.get("model.json")));
        report.putAll(reportMembers);
        files.put("report.json", ModelFormat.json(report));
        return files;
    }

    /** @return feature names */
    public List<String> featureNames() {
        return model.featureNames();
    }
}

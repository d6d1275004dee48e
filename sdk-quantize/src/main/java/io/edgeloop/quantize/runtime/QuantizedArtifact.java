package io.edgeloop.quantize.runtime;

import io.edgeloop.api.provenance.Provenance;
import io.edgeloop.api.quantize.QuantizedModel;
import io.edgeloop.api.target.TargetProfile;
import io.edgeloop.quantize.codegen.CCodeGenerator;
import io.edgeloop.quantize.codegen.GeneratedSources;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
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
     * Writes {@code model.json}, {@code model.h}, {@code model.c}, {@code report.json} and {@code golden.json}.
     *
     * @param dir the directory, created if absent
     * @throws IOException when writing fails
     */
    @Override
    public void writeTo(Path dir) throws IOException {
        Files.createDirectories(dir);
        Files.write(dir.resolve("model.json"), ModelFormat.toBytes(this));
        GeneratedSources src = new CCodeGenerator().generate(model, target);
        Files.write(dir.resolve("model.h"), src.header().getBytes(StandardCharsets.UTF_8));
        Files.write(dir.resolve("model.c"), src.source().getBytes(StandardCharsets.UTF_8));
        int[][] inputs = GoldenVectors.inputs(model, 64, 0x5eedL);
        int[][] outputs = new int[inputs.length][];
        for (int i = 0; i < inputs.length; i++) {
            outputs[i] = model.predict(inputs[i]);
        }
        Map<String, Object> golden = new LinkedHashMap<>();
        golden.put("inputs", inputs);
        golden.put("outputs", outputs);
        Files.write(dir.resolve("golden.json"), ModelFormat.json(golden));
        Files.write(dir.resolve("report.json"), ModelFormat.json(SizeReport.of(this, src).toMap()));
    }

    /** @return feature names */
    public List<String> featureNames() {
        return model.featureNames();
    }
}

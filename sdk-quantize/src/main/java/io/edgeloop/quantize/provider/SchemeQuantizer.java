package io.edgeloop.quantize.provider;

import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.api.config.KeyAliases;
import io.edgeloop.api.provenance.Provenance;
import io.edgeloop.api.provenance.Sha256;
import io.edgeloop.api.quantize.QuantizationRequest;
import io.edgeloop.api.quantize.QuantizedModel;
import io.edgeloop.api.quantize.Quantizer;
import io.edgeloop.quantize.importer.ModelReader;
import io.edgeloop.quantize.ir.FloatModel;
import io.edgeloop.quantize.runtime.IntModel;
import io.edgeloop.quantize.runtime.IntTreeEnsemble;
import io.edgeloop.quantize.runtime.QuantizedArtifact;
import io.edgeloop.quantize.scheme.Calibration;
import io.edgeloop.quantize.scheme.ModelQuantizer;
import io.edgeloop.quantize.scheme.Scheme;
import io.edgeloop.quantize.scheme.WeightScales;
import io.edgeloop.quantize.scheme.TreeInputScales;
import io.edgeloop.quantize.scheme.TreeThresholds;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The {@link Quantizer} behind the {@code int8}, {@code int16} and {@code int32} providers. Options (request or
 * provider config): {@code calibration=auto|min-max|percentile|mse} (default auto), {@code weights=int8|int16} for
 * int16, {@code weight-scales=auto|per-channel|per-tensor} (default auto), {@code bias-correction=true|false}
 * (default true), {@code adaptive-rounding=true|false} (default false; AdaRound-style rounding directions for
 * linear models with int8 weights), {@code tree-thresholds=exact|aligned} (default exact: every tree split decides
 * as the float model on the value each quantized input stands for; {@code aligned} moves thresholds to keep
 * calibration values on their side and drops that guarantee, see {@link TreeThresholds}),
 * {@code tree-input-scales=fitted|calibrated} (default fitted: int16 and int32 tree input scales chosen so calibration
 * readings next to thresholds decide as the float model, see {@link TreeInputScales}). Any other key, in the
 * provider config or the request's options, is refused naming the closest known key: a misspelt option would
 * otherwise quantize with the default and record that default in the provenance. The camelCase spellings of before
 * 2026-12-03 ({@code weightScales}, {@code biasCorrection}, {@code adaptiveRounding}, {@code treeThresholds}) still
 * work as deprecated aliases ({@link #ALIASES}), with one WARN per quantizer for its config and all its requests'
 * options. The provenance keeps recording the settings under their camelCase names: those are fields of
 * {@code model.json} and {@code report.json}, which scripts read.
 *
 * <p>Thread-safe: immutable but for the once-only flag of the deprecation WARN, an {@link AtomicBoolean}.
 */
final class SchemeQuantizer implements Quantizer {
    private final String scheme;
    /** The options a quantizer reads, from its provider config or a request's options. */
    static final Set<String> OPTIONS = Set.of("calibration", "weights", "weight-scales", "bias-correction",
            "adaptive-rounding", "tree-thresholds", "tree-input-scales");
    /** The deprecated camelCase spellings of the options, each mapped to its current key. */
    static final KeyAliases ALIASES = KeyAliases.of(Map.of("weightScales", "weight-scales",
            "biasCorrection", "bias-correction", "adaptiveRounding", "adaptive-rounding",
            "treeThresholds", "tree-thresholds"));

    private final ComponentConfig config;
    /** Whether this quantizer has logged its WARN about deprecated option spellings. */
    private final AtomicBoolean warned = new AtomicBoolean();

    SchemeQuantizer(String scheme, ComponentConfig config) {
        this.scheme = scheme;
        Objects.requireNonNull(config, "config");
        config.requireKnownKeys(scheme + " quantizer", OPTIONS, Set.of(), ALIASES);
        this.config = ALIASES.resolve(scheme + " quantizer", config, warned);
    }

    @Override
    public String scheme() {
        return scheme;
    }

    @Override
    public QuantizedModel quantize(QuantizationRequest request) throws IOException {
        // One read: the digest recorded below is of the very bytes quantized (a file replaced between a parse and a
        // second read for hashing gave a model the other file's digest).
        String component = scheme + " quantizer (request options)";
        request.options().requireKnownKeys(component, OPTIONS, Set.of(), ALIASES);
        ComponentConfig options = ALIASES.resolve(component, request.options(), warned);
        byte[] modelBytes = ModelReader.readBytes(request.modelFile());
        FloatModel model = ModelReader.read(request.modelFile(), modelBytes);
        String calib = option(options, "calibration", "auto");
        Scheme s = Scheme.of(scheme, option(options, "weights", null));
        double[][] rows = inModelOrder(request, model.featureNames());
        WeightScales ws = WeightScales.of(option(options, "weight-scales", "auto"));
        String bc = option(options, "bias-correction", "true");
        if (!"true".equals(bc) && !"false".equals(bc)) {
            throw new IllegalArgumentException("bias-correction must be true or false, got '" + bc + "'");
        }
        String ar = option(options, "adaptive-rounding", "false");
        if (!"true".equals(ar) && !"false".equals(ar)) {
            throw new IllegalArgumentException("adaptive-rounding must be true or false, got '" + ar + "'");
        }
        TreeThresholds tt = TreeThresholds.of(option(options, "tree-thresholds", TreeThresholds.EXACT.id()));
        TreeInputScales tis = TreeInputScales.of(option(options, "tree-input-scales", TreeInputScales.FITTED.id()));
        ModelQuantizer.Result res = new ModelQuantizer(s, Calibration.of(calib), ws, Boolean.parseBoolean(bc),
                Boolean.parseBoolean(ar)).withTreeThresholds(tt).withTreeInputScales(tis)
                .quantizeDetailed(model, rows);
        IntModel im = res.model();
        Provenance.Builder p = Provenance.capture("quantized-model", SchemeQuantizer.class)
                .setting("scheme", scheme)
                .setting("weights", s.weightBits())
                .setting("calibration", res.calibration().id())
                .setting("weightScales", ws.id())
                .setting("biasCorrection", bc)
                .setting("adaptiveRounding", ar)
                .setting("treeThresholds", tt.id())
                .setting("treeInputScales", treeInputScalesApplied(tis, im))
                .setting("target", request.target().id())
                .setting("rounding", "single")
                .input(request.modelFile().getFileName().toString(), Sha256.hex(modelBytes), modelBytes.length)
                .input("calibration", Sha256.hex(digestRows(rows)), digestRows(rows).length);
        request.createdAt().ifPresent(p::createdAt);
        request.parents().forEach(p::parent);
        return new QuantizedArtifact(im, request.target(), res.calibration().id(), p.build());
    }

    /**
     * What provenance records for {@code tree-input-scales}: the mode where it applies, {@code not-applied} where it
     * changes nothing (a network; fitted scales on an int8 tree, which are not fitted).
     */
    static String treeInputScalesApplied(TreeInputScales tis, IntModel im) {
        if (!(im instanceof IntTreeEnsemble)
                || tis == TreeInputScales.FITTED && ((IntTreeEnsemble) im).inputScaleFit().isEmpty()) {
            return "not-applied";
        }
        return tis.id();
    }

    /**
     * The calibration rows with the model's inputs as columns, in its order: by name when the request names its
     * columns, else as given (the caller's promise).
     */
    static double[][] inModelOrder(QuantizationRequest request, java.util.List<String> inputs) {
        double[][] rows = request.calibration();
        if (request.calibrationColumns().isEmpty()) {
            return rows;
        }
        java.util.List<String> columns = request.calibrationColumns().get();
        int[] from = new int[inputs.size()];
        java.util.List<String> missing = new java.util.ArrayList<>();
        for (int j = 0; j < inputs.size(); j++) {
            from[j] = columns.indexOf(inputs.get(j));
            if (from[j] < 0) {
                missing.add(inputs.get(j));
            }
        }
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException("Calibration has no column for model input(s) " + missing
                    + "; the model's inputs are " + inputs + ", the calibration columns " + columns);
        }
        double[][] out = new double[rows.length][inputs.size()];
        for (int i = 0; i < rows.length; i++) {
            for (int j = 0; j < from.length; j++) {
                out[i][j] = rows[i][from[j]];
            }
        }
        return out;
    }

    /** A request's option (its aliases resolved), else this quantizer's configured one, else the default. */
    private String option(ComponentConfig options, String key, String def) {
        return options.asMap().getOrDefault(key, config.asMap().getOrDefault(key, def));
    }

    private static byte[] digestRows(double[][] rows) {
        ByteBuffer b = ByteBuffer.allocate(rows.length * (rows.length == 0 ? 0 : rows[0].length) * 8);
        for (double[] r : rows) {
            for (double v : r) {
                b.putDouble(v);
            }
        }
        return b.array();
    }
}

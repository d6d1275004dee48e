package io.edgeloop.quantize.workflow;

import io.edgeloop.quantize.ir.FloatModel;
import io.edgeloop.quantize.runtime.InputQuantization;
import io.edgeloop.quantize.runtime.IntModel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What the quantized model does to its own calibration rows: how often it decides as the float model, and which
 * features the chosen input ranges squeeze. {@code quantize} writes it into {@code report.json}
 * ({@code calibrationCheck}) and warns on its error stream when a feature is squeezed.
 *
 * <p>Why: a range method is a rule, not a judgement. One glitch of 1e9 lux among 8,143 UCI occupancy readings is
 * what {@code min-max} must cover and what {@code mse} covers too (its squared error dominates the mean), and the
 * int8 model then puts every real reading of that feature into one or two steps: 63.5 % test accuracy against the
 * float model's 96.6 %, with the command succeeding. Values that large break no arithmetic (values that do are
 * refused, see {@link io.edgeloop.quantize.scheme.ColumnScale}), so the command cannot refuse them; it can measure
 * and say.
 *
 * <p>A feature is <em>squeezed</em> when the central 99.8 % of its calibration values (0.1th to 99.9th
 * percentile, nearest rank) spans fewer than {@value #SQUEEZED_STEPS} quantization steps although it spans some:
 * the grid went to a few extreme values. Constant or almost-constant features (a zero span) are not flagged.
 *
 * <p>Thread-safe: immutable.
 *
 * @param rows       calibration rows checked
 * @param agreement  percentage of rows on which the quantized model's class equals the float model's, or empty for
 *                   a regression model
 * @param squeezed   the squeezed features, in feature order
 */
public record CalibrationCheck(int rows, Optional<Double> agreement, List<Squeezed> squeezed) {
    /** Fewer steps than this across the central 99.8 % of a feature's calibration values flags it. */
    public static final int SQUEEZED_STEPS = 16;

    private static final com.fasterxml.jackson.databind.ObjectMapper READER =
            new com.fasterxml.jackson.databind.ObjectMapper();

    /**
     * A squeezed feature. Thread-safe: immutable.
     *
     * @param feature    its name
     * @param low        its 0.1th percentile in the calibration rows
     * @param high       its 99.9th percentile
     * @param min        its smallest calibration value
     * @param max        its largest calibration value
     * @param step       one quantization step of the input, in the feature's units
     * @param steps      quantization steps between {@code low} and {@code high}
     */
    public record Squeezed(String feature, double low, double high, double min, double max, double step,
            double steps) {
    }

    /**
     * @param rows      calibration rows checked
     * @param agreement agreement percentage, or empty
     * @param squeezed  squeezed features
     */
    public CalibrationCheck {
        Objects.requireNonNull(agreement, "agreement");
        squeezed = List.copyOf(squeezed);
    }

    /**
     * Checks a quantized model against its float model on the calibration rows.
     *
     * @param floatModel the float model quantized
     * @param intModel   the quantized model
     * @param rows       the calibration rows (raw features, not modified)
     * @return the check
     */
    public static CalibrationCheck of(FloatModel floatModel, IntModel intModel, double[][] rows) {
        Optional<Double> agreement = Optional.empty();
        if (floatModel.isClassifier() && rows.length > 0) {
            int agree = 0;
            for (double[] x : rows) {
                agree += floatModel.predictClass(x) == intModel.predictClass(intModel.input().quantize(x)) ? 1 : 0;
            }
            agreement = Optional.of(100.0 * agree / rows.length);
        }
        List<Squeezed> squeezed = new ArrayList<>();
        InputQuantization iq = intModel.input();
        double[] column = new double[rows.length];
        for (int f = 0; f < iq.size() && rows.length > 0; f++) {
            for (int i = 0; i < rows.length; i++) {
                column[i] = rows[i][f];
            }
            Arrays.sort(column);
            double low = column[rank(0.001, column.length)];
            double high = column[rank(0.999, column.length)];
            double steps = (high - low) / iq.scale(f);
            if (high > low && steps < SQUEEZED_STEPS) {
                squeezed.add(new Squeezed(intModel.featureNames().get(f), low, high, column[0],
                        column[column.length - 1], iq.scale(f), steps));
            }
        }
        return new CalibrationCheck(rows.length, agreement, squeezed);
    }

    /**
     * How far a quantized regression model's outputs are from its float model's on the calibration rows: the mean,
     * over rows and outputs, of the absolute difference between the float output and the dequantized integer one.
     *
     * @param floatModel the float model quantized
     * @param intModel   the quantized model
     * @param rows       the calibration rows (raw features, not modified)
     * @return the mean absolute difference, in the outputs' units; 0 for no rows
     */
    public static double meanAbsoluteError(FloatModel floatModel, IntModel intModel, double[][] rows) {
        double sum = 0;
        long n = 0;
        for (double[] x : rows) {
            double[] want = floatModel.scores(x);
            int[] got = intModel.predict(intModel.input().quantize(x));
            for (int o = 0; o < got.length; o++) {
                sum += Math.abs(want[o] - intModel.dequantizeOutput(o, got[o]));
                n++;
            }
        }
        return n == 0 ? 0 : sum / n;
    }

    private static int rank(double p, int n) {
        return (int) Math.min(n - 1, Math.max(0, Math.ceil(p * n) - 1));
    }

    /** @return the fields {@code report.json} records under {@code calibrationCheck} */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("rows", rows);
        agreement.ifPresent(a -> m.put("agreement", a));
        List<Map<String, Object>> list = new ArrayList<>();
        for (Squeezed s : squeezed) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("feature", s.feature());
            e.put("p0.1", s.low());
            e.put("p99.9", s.high());
            e.put("min", s.min());
            e.put("max", s.max());
            e.put("step", s.step());
            e.put("steps", s.steps());
            list.add(e);
        }
        m.put("squeezedFeatures", list);
        return m;
    }

    /**
     * Reads the check back from a {@code report.json}'s {@code calibrationCheck} object (as {@link #toMap()} writes
     * it).
     *
     * @param reportJson the bytes of a {@code report.json}
     * @return the check, or empty for a report written before the check existed
     * @throws java.io.IOException when the bytes are not JSON
     */
    public static Optional<CalibrationCheck> fromReport(byte[] reportJson) throws java.io.IOException {
        com.fasterxml.jackson.databind.JsonNode node = READER.readTree(reportJson).path("calibrationCheck");
        if (!node.isObject()) {
            return Optional.empty();
        }
        List<Squeezed> list = new ArrayList<>();
        for (com.fasterxml.jackson.databind.JsonNode e : node.path("squeezedFeatures")) {
            list.add(new Squeezed(e.path("feature").asText(), e.path("p0.1").asDouble(), e.path("p99.9").asDouble(),
                    e.path("min").asDouble(), e.path("max").asDouble(), e.path("step").asDouble(),
                    e.path("steps").asDouble()));
        }
        Optional<Double> agreement = node.has("agreement") ? Optional.of(node.get("agreement").asDouble())
                : Optional.empty();
        return Optional.of(new CalibrationCheck(node.path("rows").asInt(), agreement, list));
    }

    /**
     * @param calibration the range method used, for the advice
     * @return one warning line per squeezed feature (empty when none), for the error stream
     */
    public List<String> warnings(String calibration) {
        boolean robust = calibration.equals("percentile") || calibration.equals("auto");
        List<String> out = new ArrayList<>();
        for (Squeezed s : squeezed) {
            out.add(String.format(Locale.ROOT, "warning: feature '%s': 99.8 %% of its %d calibration values lie in "
                    + "[%.6g, %.6g], only %.3g quantization steps of %.6g, because the input range also covers "
                    + "[%.6g, %.6g]: the model barely sees this feature%s. %s", s.feature(), rows, s.low(), s.high(),
                    s.steps(), s.step(), s.min(), s.max(), agreement.map(a -> String.format(Locale.ROOT,
                            " (the quantized model decides as the float model on %.2f %% of the calibration rows)", a))
                            .orElse(""),
                    robust ? "More than 0.1 % of the rows lie far outside the rest: check the sensor or remove them"
                            : "The range method " + calibration + " covers every value; --calibration percentile or "
                                    + "auto ignores a few outliers, or remove the outlying rows"));
        }
        return out;
    }
}

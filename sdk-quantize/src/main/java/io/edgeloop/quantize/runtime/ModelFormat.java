package io.edgeloop.quantize.runtime;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.edgeloop.api.provenance.Provenance;
import io.edgeloop.api.target.TargetProfile;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads and writes {@code model.json}, the quantized-model artifact (format {@value #FORMAT}, version
 * {@value #FORMAT_VERSION}, documented in {@code docs/formats/quantized-model.md}). Reading re-checks every
 * proof: accumulator bounds and tree splits. Version 1 files (per-channel requantisation in every layer) are
 * still read; versions above {@value #FORMAT_VERSION} are rejected.
 *
 * <p>Thread-safe: stateless.
 */
public final class ModelFormat {
    /** The format name. */
    public static final String FORMAT = "edgeloop-quantized-model";
    /** The format version this code writes and reads. */
    public static final int FORMAT_VERSION = 2;
    /** The oldest format version this code reads. */
    public static final int OLDEST_READABLE_VERSION = 1;
    /** The rounding rule recorded in every model. */
    public static final String ROUNDING = "single";

    /** Writes indented; reads exactly one JSON value: anything after it (NUL padding a torn write left, a second
     * object) is refused rather than ignored. */
    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private ModelFormat() {
    }

    /**
     * @param value maps, lists, arrays, numbers and strings
     * @return UTF-8 JSON
     */
    public static byte[] json(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot write JSON: " + e.getMessage(), e);
        }
    }

    /**
     * @param a the artifact
     * @return the {@code model.json} bytes
     */
    public static byte[] toBytes(QuantizedArtifact a) {
        IntModel m = a.model();
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("format", FORMAT);
        root.put("formatVersion", FORMAT_VERSION);
        root.put("kind", m.kind());
        root.put("scheme", m.scheme());
        root.put("target", a.target().id());
        root.put("targetProfile", a.target().toMap());
        Map<String, Object> rounding = new LinkedHashMap<>();
        rounding.put("rule", ROUNDING);
        rounding.put("requantize", "out = clamp(zeroPoint + RoundingDivideByPOT64(acc * multiplier, shift), min, max); "
                + "RoundingDivideByPOT64 rounds half away from zero");
        rounding.put("inputQuantize", "q = clamp(roundHalfAwayFromZero(x / scale) + zeroPoint, min, max)");
        root.put("rounding", rounding);
        root.put("calibration", a.calibration());
        root.put("features", m.featureNames());
        root.put("classes", m.classNames());
        root.put("inputSize", m.inputSize());
        root.put("outputSize", m.outputSize());
        Map<String, Object> input = new LinkedHashMap<>();
        InputQuantization iq = m.input();
        input.put("min", iq.min());
        input.put("max", iq.max());
        double[] s = new double[iq.size()];
        long[] z = new long[iq.size()];
        for (int i = 0; i < s.length; i++) {
            s[i] = iq.scale(i);
            z[i] = iq.zeroPoint(i);
        }
        input.put("scale", s);
        input.put("zeroPoint", z);
        root.put("input", input);
        root.putAll(m.toMap());
        root.put("provenance", a.provenance().toMap());
        return json(root);
    }

    /**
     * Loads {@code model.json} bytes.
     *
     * @param bytes the bytes
     * @return the artifact
     * @throws IOException when the bytes are not a valid model of a supported version; the message says why
     */
    public static QuantizedArtifact fromBytes(byte[] bytes) throws IOException {
        JsonNode root;
        try {
            root = MAPPER.readTree(bytes);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            // Jackson's own message quotes its parser state ("[Source: REDACTED ...; line: 1, column: 1]"): say where
            // in plain words instead
            com.fasterxml.jackson.core.JsonLocation at = e.getLocation();
            String what = String.valueOf(e.getOriginalMessage()).split("\n")[0]
                    .replaceAll(" ?\\(start marker at \\[Source: [^\\]]*\\]\\)", "");
            throw new IOException("Not a quantized model: invalid JSON" + (at == null ? "" : " at line "
                    + at.getLineNr() + ", column " + at.getColumnNr()) + ": " + what
                    + (e instanceof com.fasterxml.jackson.core.io.JsonEOFException
                    ? " (the file ends before the JSON is complete)" : ""), e);
        }
        if (root == null || !root.isObject()) {
            throw new IOException("Not a quantized model: expected a JSON object");
        }
        if (!FORMAT.equals(root.path("format").asText())) {
            throw new IOException("Not a quantized model: format is '" + root.path("format").asText() + "', expected '"
                    + FORMAT + "'");
        }
        JsonNode v = root.path("formatVersion");
        if (!v.isIntegralNumber() || !v.canConvertToInt()) {
            throw new IOException("Invalid quantized model: formatVersion must be an integer, got " + v);
        }
        int version = v.asInt();
        if (version < OLDEST_READABLE_VERSION || version > FORMAT_VERSION) {
            throw new IOException("Unsupported quantized-model formatVersion " + root.path("formatVersion")
                    + "; this SDK reads versions " + OLDEST_READABLE_VERSION + " to " + FORMAT_VERSION);
        }
        if (!ROUNDING.equals(root.path("rounding").path("rule").asText())) {
            throw new IOException("Unsupported rounding rule '" + root.path("rounding").path("rule").asText()
                    + "'; this runtime implements '" + ROUNDING + "'");
        }
        try {
            String scheme = text(root, "scheme");
            TargetProfile target = profile(root);
            List<String> features = strings(root.path("features"));
            List<String> classes = strings(root.path("classes"));
            JsonNode in = root.path("input");
            InputQuantization iq = new InputQuantization(doubles(in.path("scale")), longs(in.path("zeroPoint")),
                    intv(in, "min"), intv(in, "max"));
            IntModel model;
            String kind = text(root, "kind");
            if ("network".equals(kind)) {
                List<IntLayer> layers = new ArrayList<>();
                int index = 0;
                for (JsonNode l : root.path("layers")) {
                    try {
                        layers.add(layer(l, version));
                    } catch (IllegalArgumentException | NullPointerException e) {
                        throw new IllegalArgumentException("layer " + index + ": " + e.getMessage(), e);
                    }
                    index++;
                }
                model = new IntNetwork(scheme, features, classes, iq, layers);
            } else if ("tree-ensemble".equals(kind)) {
                IntTreeEnsemble t = new IntTreeEnsemble(scheme, features, classes, iq, ints(root.path("roots")),
                        ints(root.path("feature")), longs(root.path("threshold")), doubles(root.path("floatThreshold")),
                        ints(root.path("left")), ints(root.path("right")), ints(root.path("value")),
                        root.path("leafScale").asDouble(), root.has("votes") ? ints(root.path("votes")) : null,
                        root.has("votes") ? root.path("voteScale").asDouble(-1) : 1);
                t.verifySplits();
                model = t;
            } else {
                throw new IllegalArgumentException("unknown model kind '" + kind + "'");
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> prov = MAPPER.convertValue(root.path("provenance"), Map.class);
            return new QuantizedArtifact(model, target, root.path("calibration").asText("min-max"),
                    Provenance.fromMap(prov));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new IOException("Invalid quantized model: " + e.getMessage(), e);
        }
    }

    /**
     * The model's profile: {@code targetProfile} when present (it must name the {@code target} id, and a built-in
     * id must carry the built-in's values), else the built-in profile of {@code target} (files written before the
     * whole profile was stored).
     */
    private static TargetProfile profile(JsonNode root) {
        String id = text(root, "target");
        if (!root.has("targetProfile")) {
            return TargetProfile.of(id);
        }
        JsonNode stored = root.get("targetProfile");
        if (!stored.isObject()) {
            throw new IllegalArgumentException("targetProfile must be an object");
        }
        @SuppressWarnings("unchecked")
        TargetProfile p = TargetProfile.fromMap(MAPPER.convertValue(stored, Map.class));
        if (!p.id().equals(id)) {
            throw new IllegalArgumentException("targetProfile id '" + p.id() + "' contradicts target '" + id + "'");
        }
        return p;
    }

    private static String text(JsonNode n, String k) {
        JsonNode v = n.get(k);
        if (v == null || !v.isTextual()) {
            throw new IllegalArgumentException("missing string field '" + k + "'");
        }
        return v.asText();
    }

    private static int intv(JsonNode n, String k) {
        JsonNode v = n.get(k);
        if (v == null || !v.isIntegralNumber() || !v.canConvertToInt()) {
            throw new IllegalArgumentException("missing or non-int32 field '" + k + "'" + (v == null ? "" : ": " + v));
        }
        return v.asInt();
    }

    private static long longv(JsonNode n, String k) {
        JsonNode v = n.get(k);
        if (v == null || !v.isIntegralNumber() || !v.canConvertToLong()) {
            throw new IllegalArgumentException("missing or non-int64 field '" + k + "'" + (v == null ? "" : ": " + v));
        }
        return v.asLong();
    }

    private static List<String> strings(JsonNode a) {
        List<String> l = new ArrayList<>();
        for (JsonNode n : array(a)) {
            l.add(n.asText());
        }
        return l;
    }

    private static JsonNode array(JsonNode a) {
        if (!a.isArray()) {
            throw new IllegalArgumentException("expected an array, got " + a.getNodeType());
        }
        return a;
    }

    private static int[] ints(JsonNode a) {
        array(a);
        int[] r = new int[a.size()];
        for (int i = 0; i < r.length; i++) {
            if (!a.get(i).isIntegralNumber() || !a.get(i).canConvertToInt()) {
                throw new IllegalArgumentException("value " + a.get(i) + " is not an int32");
            }
            r[i] = a.get(i).asInt();
        }
        return r;
    }

    private static long[] longs(JsonNode a) {
        array(a);
        long[] r = new long[a.size()];
        for (int i = 0; i < r.length; i++) {
            if (!a.get(i).isIntegralNumber() || !a.get(i).canConvertToLong()) {
                throw new IllegalArgumentException("value " + a.get(i) + " is not an int64");
            }
            r[i] = a.get(i).asLong();
        }
        return r;
    }

    private static double[] doubles(JsonNode a) {
        array(a);
        double[] r = new double[a.size()];
        for (int i = 0; i < r.length; i++) {
            if (!a.get(i).isNumber()) {
                throw new IllegalArgumentException("value " + a.get(i) + " is not a number");
            }
            r[i] = a.get(i).asDouble();
        }
        return r;
    }

    private static IntLayer layer(JsonNode l, int version) {
        Requantization rq = version == 1 ? Requantization.PER_CHANNEL
                : Requantization.of(text(l, "requantization"));
        String scales = rq == Requantization.PER_CHANNEL ? "per-channel" : "per-tensor";
        if (version > 1 && !scales.equals(text(l, "weightScales"))) {
            throw new IllegalArgumentException("weightScales '" + l.path("weightScales").asText()
                    + "' contradicts requantization '" + rq.id() + "' (which implies " + scales + ")");
        }
        IntLayer layer = new IntLayer(intv(l, "inputs"), intv(l, "outputs"), intv(l, "weightBits"),
                ints(l.path("weights")), longs(l.path("bias")), rq, ints(l.path("multiplier")),
                ints(l.path("shift")), intv(l, "outputZeroPoint"), intv(l, "outputMin"), intv(l, "outputMax"),
                intv(l, "inputMin"), intv(l, "inputMax"), l.path("outputScale").asDouble(),
                text(l, "activation"));
        if (layer.accumulatorBound() != longv(l, "accumulatorBound")
                || layer.accumulatorBits() != intv(l, "accumulatorBits")) {
            throw new IllegalArgumentException("accumulator proof does not match its weights (stored "
                    + l.path("accumulatorBound") + ", recomputed " + layer.accumulatorBound() + ")");
        }
        return layer;
    }
}

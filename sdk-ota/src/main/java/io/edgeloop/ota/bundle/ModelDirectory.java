package io.edgeloop.ota.bundle;

import com.fasterxml.jackson.databind.JsonNode;
import io.edgeloop.api.provenance.Provenance;
import io.edgeloop.api.provenance.Sha256;
import io.edgeloop.api.target.TargetProfile;
import io.edgeloop.ota.json.CanonicalJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A quantized-model directory as {@code edgeloop quantize} writes it: {@code model.json} (the artifact),
 * {@code report.json} ({@code target}, {@code scheme}, {@code inputSize}, {@code outputSize}, sizes, ...,
 * {@code modelSha256}: the digest of {@code model.json} as written; a directory whose model.json no longer matches
 * it is refused, one without it, from before the field existed, is read as it is),
 * {@code golden.json} ({@code inputs}, {@code outputs}); {@code model.h}/{@code model.c} are not packaged.
 *
 * <p>Thread-safe: immutable.
 */
public final class ModelDirectory {
    /** Largest model.json packaged. */
    public static final long MAX_MODEL_BYTES = 64L << 20;

    private final Path dir;
    private final byte[] model;
    private final TargetProfile target;
    private final String scheme;
    private final int inputSize;
    private final int outputSize;
    private final GoldenVectors golden;
    private final Map<String, String> report;
    private final Provenance provenance;
    private final List<String> features;
    private final List<String> classes;

    private ModelDirectory(Path dir, byte[] model, TargetProfile target, String scheme, int inputSize, int outputSize,
            GoldenVectors golden, Map<String, String> report, Provenance provenance, List<String> features,
            List<String> classes) {
        this.features = features;
        this.classes = classes;
        this.dir = dir;
        this.model = model;
        this.target = target;
        this.scheme = scheme;
        this.inputSize = inputSize;
        this.outputSize = outputSize;
        this.golden = golden;
        this.report = report;
        this.provenance = provenance;
    }

    /**
     * Reads a directory.
     *
     * @param dir the directory
     * @return the model directory
     * @throws IOException when a file is missing, a symlink, too large or malformed; the message names the file
     */
    public static ModelDirectory read(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IOException(dir + " is not a directory (expected an 'edgeloop quantize' output)");
        }
        byte[] model = file(dir, "model.json");
        JsonNode report = json(dir, "report.json");
        JsonNode recorded = report.get("modelSha256");
        if (recorded != null) {
            String actual = Sha256.hex(model);
            if (!recorded.isTextual() || !recorded.textValue().equals(actual)) {
                throw new IOException(dir.resolve("model.json") + " changed after 'edgeloop quantize' wrote it: its "
                        + "SHA-256 is " + actual + ", report.json records " + recorded + "; quantize the model again");
            }
        }
        JsonNode golden = json(dir, "golden.json");
        String targetId = text(report, "target", dir);
        GoldenVectors g;
        try {
            g = GoldenVectors.fromJson(golden);
        } catch (IllegalArgumentException e) {
            throw new IOException(dir.resolve("golden.json") + ": " + e.getMessage(), e);
        }
        Map<String, String> settings = new TreeMap<>();
        for (Iterator<String> it = report.fieldNames(); it.hasNext();) {
            String k = it.next();
            JsonNode v = report.get(k);
            // A null is a figure not measured (flashBytes without the target's compiler): left out, never the text
            // "null", which reads as a value (sizeSource says what was not measured).
            if (v.isValueNode() && !v.isNull()) {
                settings.put(k, v.asText());
            }
        }
        TargetProfile target = target(dir, model, targetId);
        Provenance prov = null;
        List<String> features = null;
        List<String> classes = null;
        try {
            JsonNode root = CanonicalJson.mapper().readTree(model);
            features = names(root, "features");
            classes = names(root, "classes");
            JsonNode p = root.get("provenance");
            if (p != null && p.isObject()) {
                @SuppressWarnings("unchecked")
                Map<String, Object> pm = CanonicalJson.mapper().convertValue(p, Map.class);
                prov = Provenance.fromMap(pm);
            }
        } catch (IOException | IllegalArgumentException e) {
            prov = null; // model.json without readable provenance: lineage records its digest only
        }
        return new ModelDirectory(dir, model, target, text(report, "scheme", dir), int32(report, "inputSize", dir),
                int32(report, "outputSize", dir), g, settings, prov, features, classes);
    }

    /**
     * The board the model was quantized for: {@code model.json}'s {@code targetProfile} (the bytes packaged, so a
     * board of one's own needs no provider here), which must name report.json's {@code target}; a directory written
     * before the field holds a built-in id only. model.json's own {@code target}, when it has one, must be that id
     * too: a model.json for avr8 beside a report.json for cortex-m3 used to be bundled for cortex-m3.
     */
    private static TargetProfile target(Path dir, byte[] model, String targetId) throws IOException {
        JsonNode root = null;
        try {
            root = CanonicalJson.mapper().readTree(model);
        } catch (IOException e) {
            // unreadable model.json: judged by the built-in id, as before, and refused where it is loaded
        }
        Path file = dir.resolve("model.json");
        JsonNode stored = root == null || !root.isObject() ? null : root.get("targetProfile");
        JsonNode own = root == null || !root.isObject() ? null : root.get("target");
        if (own != null && !own.isTextual()) {
            throw new IOException(file + ": 'target' must be a string, got " + own);
        }
        TargetProfile p = null;
        if (stored != null) {
            if (!stored.isObject()) {
                throw new IOException(file + ": invalid targetProfile: it must be an object, got " + stored);
            }
            try {
                @SuppressWarnings("unchecked")
                Map<String, Object> m = CanonicalJson.mapper().convertValue(stored, Map.class);
                p = TargetProfile.fromMap(m);
            } catch (IllegalArgumentException e) {
                throw new IOException(file + ": invalid targetProfile: " + e.getMessage(), e);
            }
            if (own != null && !p.id().equals(own.textValue())) {
                throw new IOException(file + " contradicts itself: its target is '" + own.textValue()
                        + "' but its targetProfile is for '" + p.id() + "'; quantize the model again");
            }
        }
        String modelTarget = p != null ? p.id() : own != null ? own.textValue() : null;
        if (modelTarget != null && !modelTarget.equals(targetId)) {
            throw new IOException(file + " is for target '" + modelTarget + "' but report.json says '" + targetId
                    + "'; quantize the model again");
        }
        if (p != null) {
            return p;
        }
        return TargetProfile.find(targetId).orElseThrow(() -> new IOException(dir.resolve("report.json")
                + ": unknown target '" + targetId + "' and model.json holds no targetProfile (written before "
                + "boards of one's own were stored); built-in targets: avr8, cortex-m0, cortex-m3, cortex-m4f, "
                + "jvm; quantize the model again"));
    }

    /** A list of strings at {@code field} of a JSON object, or null when absent or not such a list. */
    private static List<String> names(JsonNode root, String field) {
        JsonNode n = root == null ? null : root.get(field);
        if (n == null || !n.isArray()) {
            return null;
        }
        List<String> out = new ArrayList<>();
        for (JsonNode e : n) {
            if (!e.isTextual()) {
                return null;
            }
            out.add(e.textValue());
        }
        return List.copyOf(out);
    }

    private static byte[] file(Path dir, String name) throws IOException {
        Path f = dir.resolve(name);
        if (!Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException(f + " is missing or not a regular file (expected an 'edgeloop quantize' output)");
        }
        if (Files.size(f) > MAX_MODEL_BYTES) {
            throw new IOException(f + " is larger than " + MAX_MODEL_BYTES + " bytes");
        }
        return Files.readAllBytes(f);
    }

    private static JsonNode json(Path dir, String name) throws IOException {
        try {
            JsonNode n = CanonicalJson.mapper().readTree(file(dir, name));
            if (n == null || !n.isObject()) {
                throw new IOException(dir.resolve(name) + " must hold a JSON object");
            }
            return n;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IOException(dir.resolve(name) + " is not valid JSON: " + e.getOriginalMessage(), e);
        }
    }

    private static String text(JsonNode n, String f, Path dir) throws IOException {
        JsonNode v = n.get(f);
        if (v == null || !v.isTextual()) {
            throw new IOException(dir.resolve("report.json") + ": '" + f + "' must be a string");
        }
        return v.textValue();
    }

    private static int int32(JsonNode n, String f, Path dir) throws IOException {
        long v = integer(n, f, dir);
        if (v < 1 || v > Integer.MAX_VALUE) {
            throw new IOException(dir.resolve("report.json") + ": '" + f + "' is " + v + "; it must be between 1 and "
                    + Integer.MAX_VALUE);
        }
        return (int) v;
    }

    private static long integer(JsonNode n, String f, Path dir) throws IOException {
        JsonNode v = n.get(f);
        if (v == null || !v.isIntegralNumber() || !v.canConvertToLong()) {
            throw new IOException(dir.resolve("report.json") + ": '" + f + "' must be an integer");
        }
        return v.longValue();
    }

    /** @return the directory */
    public Path dir() {
        return dir;
    }

    /** @return a copy of model.json's bytes */
    public byte[] modelBytes() {
        return model.clone();
    }

    /** @return the target profile from model.json's {@code targetProfile} (a built-in one for older directories) */
    public TargetProfile target() {
        return target;
    }

    /** @return the scheme */
    public String scheme() {
        return scheme;
    }

    /** @return the golden vectors */
    public GoldenVectors golden() {
        return golden;
    }

    /**
     * @return report.json's scalar fields as strings; a field that is JSON null (a figure not measured, such as
     *         {@code flashBytes} without the target's compiler) is left out
     */
    public Map<String, String> report() {
        return report;
    }

    /**
     * @return model.json's {@code features} (input names in order), when it has them (Edgeloop's quantized-model
     *         format does; another runtime's artifact need not)
     */
    public Optional<List<String>> features() {
        return Optional.ofNullable(features);
    }

    /** @return model.json's {@code classes} (output class names in order, empty for regression), when present */
    public Optional<List<String>> classes() {
        return Optional.ofNullable(classes);
    }

    /** @return the number of outputs from report.json */
    public int outputSize() {
        return outputSize;
    }

    /**
     * The float model this artifact was quantized from: the first input of model.json's provenance (quantize
     * records the float model file there, then the calibration data; see docs/formats/quantized-model.md).
     *
     * @return its name and SHA-256, when model.json has a provenance with inputs
     */
    public Optional<Provenance.Input> sourceModel() {
        return provenance == null || provenance.inputs().isEmpty() ? Optional.empty()
                : Optional.of(provenance.inputs().get(0));
    }

    /** @return model.json's provenance, when present */
    public Optional<Provenance> provenance() {
        return Optional.ofNullable(provenance);
    }

    /**
     * Describes the artifact for the manifest.
     *
     * @param runtime         runtime provider name
     * @param runtimeVersions runtime version constraint
     * @return the entry, at {@code artifacts/<target>/model.json}
     */
    public ArtifactEntry entry(String runtime, String runtimeVersions) {
        return ArtifactEntry.builder().path(path()).sha256(Sha256.hex(model)).size(model.length).target(target.id())
                .hardwareVariant(target.hardwareVariant()).runtime(runtime).runtimeVersions(runtimeVersions)
                .scheme(scheme).inputSize(inputSize).outputSize(outputSize).golden(golden).build();
    }

    /** @return the archive path of the artifact */
    public String path() {
        return "artifacts/" + target.id() + "/model.json";
    }
}

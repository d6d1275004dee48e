package io.edgeloop.ota.bundle;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.edgeloop.api.provenance.Provenance;
import io.edgeloop.ota.json.CanonicalJson;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Where a model came from, bound to its bytes by the manifest signature: dataset digests, labelling and
 * training settings, quantization settings, and the provenance records of the inputs.
 *
 * <p>Thread-safe: immutable.
 */
public final class Lineage {
    /** The empty lineage. */
    public static final Lineage EMPTY = builder().build();

    private final List<DatasetRef> datasets;
    private final Map<String, String> labelling;
    private final Map<String, String> training;
    private final Map<String, String> quantization;
    private final List<Provenance> provenance;

    /**
     * A dataset the model was trained on.
     *
     * <p>Thread-safe: immutable.
     *
     * @param name   its name
     * @param sha256 its digest
     */
    public record DatasetRef(String name, String sha256) {
        /**
         * @param name   the name
         * @param sha256 the digest
         */
        public DatasetRef {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(sha256, "sha256");
        }
    }

    private Lineage(Builder b) {
        this.datasets = List.copyOf(b.datasets);
        this.labelling = Collections.unmodifiableMap(new TreeMap<>(b.labelling));
        this.training = Collections.unmodifiableMap(new TreeMap<>(b.training));
        this.quantization = Collections.unmodifiableMap(new TreeMap<>(b.quantization));
        this.provenance = List.copyOf(b.provenance);
    }

    /** @return a new builder */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the datasets */
    public List<DatasetRef> datasets() {
        return datasets;
    }

    /** @return labelling settings */
    public Map<String, String> labelling() {
        return labelling;
    }

    /** @return training settings */
    public Map<String, String> training() {
        return training;
    }

    /** @return quantization settings */
    public Map<String, String> quantization() {
        return quantization;
    }

    /** @return provenance records of the packaged models */
    public List<Provenance> provenance() {
        return provenance;
    }

    ObjectNode toJson() {
        ObjectNode o = CanonicalJson.object();
        ArrayNode ds = o.putArray("datasets");
        for (DatasetRef d : datasets) {
            ds.addObject().put("name", d.name()).put("sha256", d.sha256());
        }
        o.set("labelling", map(labelling));
        o.set("training", map(training));
        o.set("quantization", map(quantization));
        ArrayNode pv = o.putArray("provenance");
        for (Provenance p : provenance) {
            pv.add(CanonicalJson.mapper().valueToTree(p.toMap()));
        }
        return o;
    }

    private static ObjectNode map(Map<String, String> m) {
        ObjectNode o = CanonicalJson.object();
        m.forEach(o::put);
        return o;
    }

    @SuppressWarnings("unchecked")
    static Lineage fromJson(JsonNode n) {
        if (n == null || !n.isObject()) {
            throw new IllegalArgumentException("'lineage' must be an object");
        }
        Builder b = builder();
        JsonNode ds = n.get("datasets");
        if (ds != null) {
            for (JsonNode d : ds) {
                b.dataset(Fields.text(d, "name"), Fields.text(d, "sha256"));
            }
        }
        readMap(n.get("labelling"), "labelling", b.labelling);
        readMap(n.get("training"), "training", b.training);
        readMap(n.get("quantization"), "quantization", b.quantization);
        JsonNode pv = n.get("provenance");
        if (pv != null) {
            for (JsonNode p : pv) {
                b.provenance(Provenance.fromMap(CanonicalJson.mapper().convertValue(p, Map.class)));
            }
        }
        return b.build();
    }

    /**
     * Reads one settings object: string values; a JSON null is read as absent (what the writer leaves out), never as
     * the text "null"; any other value is refused, naming it (it was read as its text, or "" for an object).
     */
    private static void readMap(JsonNode n, String section, Map<String, String> into) {
        if (n == null) {
            return;
        }
        if (!n.isObject()) {
            throw new IllegalArgumentException("lineage." + section + " must be an object of strings, got "
                    + n.getNodeType().name().toLowerCase(java.util.Locale.ROOT));
        }
        for (Iterator<String> it = n.fieldNames(); it.hasNext();) {
            String k = it.next();
            JsonNode v = n.get(k);
            if (v.isTextual()) {
                into.put(k, v.textValue());
            } else if (!v.isNull()) {
                throw new IllegalArgumentException("lineage." + section + "." + k + " must be a string, got "
                        + v.getNodeType().name().toLowerCase(java.util.Locale.ROOT));
            }
        }
    }

    /** Builder for {@link Lineage}. Not thread-safe. */
    public static final class Builder {
        private final List<DatasetRef> datasets = new ArrayList<>();
        private final Map<String, String> labelling = new TreeMap<>();
        private final Map<String, String> training = new TreeMap<>();
        private final Map<String, String> quantization = new TreeMap<>();
        private final List<Provenance> provenance = new ArrayList<>();

        private Builder() {
        }

        /**
         * @param name   dataset name
         * @param sha256 dataset digest
         * @return this builder
         */
        public Builder dataset(String name, String sha256) {
            datasets.add(new DatasetRef(name, sha256));
            return this;
        }

        /**
         * @param key   setting
         * @param value value
         * @return this builder
         */
        public Builder labelling(String key, String value) {
            labelling.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /**
         * @param key   setting
         * @param value value
         * @return this builder
         */
        public Builder training(String key, String value) {
            training.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /**
         * @param key   setting
         * @param value value
         * @return this builder
         */
        public Builder quantization(String key, String value) {
            quantization.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /**
         * @param p a provenance record of a packaged model or its inputs
         * @return this builder
         */
        public Builder provenance(Provenance p) {
            provenance.add(Objects.requireNonNull(p, "p"));
            return this;
        }

        /** @return the lineage */
        public Lineage build() {
            return new Lineage(this);
        }
    }
}

package io.edgeloop.api.quantize;

import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.api.provenance.Provenance;
import io.edgeloop.api.target.TargetProfile;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What to quantize and how: a float model file, representative calibration rows, the target and options
 * (calibration method, weight width, rounding).
 *
 * <p>Thread-safe: immutable (the calibration matrix is copied in and out).
 */
public final class QuantizationRequest {
    private final Path modelFile;
    private final double[][] calibration;
    private final List<String> calibrationColumns;
    private final TargetProfile target;
    private final ComponentConfig options;
    private final Instant createdAt;
    private final List<Provenance> parents;

    private QuantizationRequest(Builder b) {
        this.modelFile = b.modelFile;
        this.calibration = deepCopy(b.calibration);
        this.calibrationColumns = b.calibrationColumns;
        this.target = b.target;
        this.options = b.options;
        this.createdAt = b.createdAt;
        this.parents = List.copyOf(b.parents);
    }

    /** @return a new builder */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the float model file (a Tribuo model written by {@code edgeloop train}, or ONNX) */
    public Path modelFile() {
        return modelFile;
    }

    /**
     * The calibration rows. Without {@link #calibrationColumns()} their columns are the model's inputs in the
     * model's own input order (for a Tribuo model, its feature names sorted, which is rarely a CSV file's column
     * order); with them, the quantizer matches columns to inputs by name.
     *
     * @return a copy of the calibration rows (one row per example)
     */
    public double[][] calibration() {
        return deepCopy(calibration);
    }

    /**
     * The names of the calibration columns, in the order of {@link #calibration()}'s columns. When present the
     * quantizer takes each model input from the column of the same name (columns the model does not use, such as
     * a label, are ignored) and refuses a request that lacks one of the model's inputs; when empty the columns
     * must already be in the model's input order, which the quantizer cannot check.
     *
     * @return the column names, if the caller gave them
     */
    public Optional<List<String>> calibrationColumns() {
        return Optional.ofNullable(calibrationColumns);
    }

    /** @return the number of calibration rows */
    public int calibrationRows() {
        return calibration.length;
    }

    /** @return the target profile */
    public TargetProfile target() {
        return target;
    }

    /** @return quantizer options ({@code calibration=min-max|percentile|mse}, ...) */
    public ComponentConfig options() {
        return options;
    }

    /**
     * The creation time to record in the product's provenance, for reproducible builds (the role
     * {@code SOURCE_DATE_EPOCH} plays for compilers): two requests that are equal in everything, this included, must
     * give byte-identical output directories. Empty means "now".
     *
     * @return the fixed creation time, if one was set
     */
    public Optional<Instant> createdAt() {
        return Optional.ofNullable(createdAt);
    }

    /**
     * The provenance of the float model (for example the end model's, with its labels and expert answers as its
     * own parents), which a quantizer records as the parents of the quantized model's provenance, so the product
     * names everything it came from and not only the model file's digest. Empty when the caller has none.
     *
     * @return the parents, in the order given
     */
    public List<Provenance> parents() {
        return parents;
    }

    /** @return a builder holding this request's fields */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.modelFile = modelFile;
        b.calibration = deepCopy(calibration);
        b.calibrationColumns = calibrationColumns;
        b.target = target;
        b.options = options;
        b.createdAt = createdAt;
        b.parents.addAll(parents);
        return b;
    }

    private static double[][] deepCopy(double[][] m) {
        double[][] c = new double[m.length][];
        for (int i = 0; i < m.length; i++) {
            if (m[i] == null) {
                throw new IllegalArgumentException("calibration row " + (i + 1) + " (counting from 1) is null");
            }
            c[i] = m[i].clone();
        }
        return c;
    }

    /** Builder for {@link QuantizationRequest}. Not thread-safe. */
    public static final class Builder {
        private Path modelFile;
        private double[][] calibration;
        private List<String> calibrationColumns;
        private TargetProfile target;
        private ComponentConfig options = ComponentConfig.empty();
        private Instant createdAt;
        private final List<Provenance> parents = new ArrayList<>();

        private Builder() {
        }

        /**
         * @param modelFile the float model file
         * @return this builder
         */
        public Builder modelFile(Path modelFile) {
            this.modelFile = Objects.requireNonNull(modelFile, "modelFile");
            return this;
        }

        /**
         * @param calibration representative rows (copied)
         * @return this builder
         * @throws IllegalArgumentException when a row is null
         */
        public Builder calibration(double[][] calibration) {
            this.calibration = deepCopy(Objects.requireNonNull(calibration, "calibration"));
            this.calibrationColumns = null;
            return this;
        }

        /**
         * Calibration rows with their column names, so the quantizer matches columns to the model's inputs by
         * name (the safe form: rows in a CSV file's column order given to {@link #calibration(double[][])} quantize
         * a Tribuo model, whose inputs are sorted by name, with every input's range taken from another feature).
         *
         * @param columns     the name of each column, in order (copied)
         * @param calibration representative rows (copied)
         * @return this builder
         * @throws IllegalArgumentException when a row is null
         */
        public Builder calibration(List<String> columns, double[][] calibration) {
            this.calibration = deepCopy(Objects.requireNonNull(calibration, "calibration"));
            this.calibrationColumns = List.copyOf(Objects.requireNonNull(columns, "columns"));
            return this;
        }

        /**
         * @param target the target profile
         * @return this builder
         */
        public Builder target(TargetProfile target) {
            this.target = Objects.requireNonNull(target, "target");
            return this;
        }

        /**
         * @param options quantizer options
         * @return this builder
         */
        public Builder options(ComponentConfig options) {
            this.options = Objects.requireNonNull(options, "options");
            return this;
        }

        /**
         * @param createdAt the creation time to record in provenance (null: the time of quantization)
         * @return this builder
         * @see QuantizationRequest#createdAt()
         */
        public Builder createdAt(Instant createdAt) {
            this.createdAt = createdAt;
            return this;
        }

        /**
         * @param parent the provenance of the float model, recorded as a parent of the product's provenance
         * @return this builder
         * @see QuantizationRequest#parents()
         */
        public Builder parent(Provenance parent) {
            parents.add(Objects.requireNonNull(parent, "parent"));
            return this;
        }

        /**
         * @return the request
         * @throws IllegalArgumentException when the model, calibration or target is missing, rows are ragged, or
         *                                  column names do not match the rows' width or are blank or repeated
         */
        public QuantizationRequest build() {
            if (modelFile == null || target == null || calibration == null) {
                throw new IllegalArgumentException("A QuantizationRequest needs a model file, calibration rows and a target");
            }
            if (calibration.length == 0) {
                throw new IllegalArgumentException("Calibration needs at least one row");
            }
            int w = calibration[0].length;
            for (int i = 0; i < calibration.length; i++) {
                if (calibration[i].length != w) {
                    throw new IllegalArgumentException("Calibration row " + i + " has " + calibration[i].length
                            + " values; row 0 has " + w);
                }
            }
            if (calibrationColumns != null) {
                if (calibrationColumns.size() != w) {
                    throw new IllegalArgumentException("Calibration has " + calibrationColumns.size()
                            + " column names but " + w + " values per row");
                }
                java.util.Set<String> seen = new java.util.HashSet<>();
                for (String c : calibrationColumns) {
                    if (c.isBlank() || !seen.add(c)) {
                        throw new IllegalArgumentException("Calibration column names must be unique and non-blank, "
                                + "got '" + c + "' in " + calibrationColumns);
                    }
                }
            }
            return new QuantizationRequest(this);
        }
    }
}

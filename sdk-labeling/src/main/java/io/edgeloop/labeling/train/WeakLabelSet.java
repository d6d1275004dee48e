package io.edgeloop.labeling.train;

import io.edgeloop.api.label.Labeller;
import io.edgeloop.api.provenance.Provenance;
import io.edgeloop.api.provenance.Sha256;
import io.edgeloop.labeling.matrix.LabelMatrix;
import io.edgeloop.labeling.model.LabelModel;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A labelled dataset ready for {@link EndModelTrainer}: the {@link WeakLabels} made from a label model's
 * probabilities with every expert answer as a gold row (weight 1), together with their {@link Provenance} (kind
 * {@code weak-labels}, from {@link LabelProvenance}: the LF set with digests, the label-matrix digest, the label
 * model and its settings, the expert answers' count and digest, the seed; plus how the labels were derived and a
 * digest of the labels themselves).
 *
 * <p>This is the one call between active learning and training:
 * <pre>{@code
 * ActiveLearner.Result al = learner.run(matrix, features, expert, budget);
 * WeakLabelSet set = WeakLabelSet.builder().labellers(lfs).matrix(matrix).labelModel(al.model())
 *         .probabilities(al.probabilities()).answers(al.answers()).seed(seed).build();
 * EndModel model = new EndModelTrainer(EndModelKind.LOGISTIC, classes, seed, Map.of()).train(features, set);
 * // model.provenance() names the answers (expertAnswers, expertAnswersSha256) and the label model
 * }</pre>
 *
 * <p>Thread-safe: immutable.
 */
public final class WeakLabelSet {
    private final WeakLabels labels;
    private final Provenance provenance;
    private final Map<Integer, Integer> answers;

    private WeakLabelSet(WeakLabels labels, Provenance provenance, Map<Integer, Integer> answers) {
        this.labels = labels;
        this.provenance = provenance;
        this.answers = answers;
    }

    /** @return a new builder */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the training targets: label-model classes with confidence weights, answered rows gold with weight 1 */
    public WeakLabels labels() {
        return labels;
    }

    /** @return how the labels were made (kind {@code weak-labels}) */
    public Provenance provenance() {
        return provenance;
    }

    /** @return the expert answers used, class by row, in row order */
    public Map<Integer, Integer> answers() {
        return answers;
    }

    /** @return the digest of {@link #answers()}, as {@link LabelProvenance#answersSha256(Map)} computes it */
    public String answersSha256() {
        return LabelProvenance.answersSha256(answers);
    }

    /** Builder for {@link WeakLabelSet}. Not thread-safe. */
    public static final class Builder {
        private List<Labeller> labellers;
        private LabelMatrix matrix;
        private LabelModel labelModel;
        private double[][] probabilities;
        private Map<Integer, Integer> answers = Map.of();
        private Long seed;
        private double minWeight;
        private boolean keepUncovered;
        private java.time.Instant createdAt;

        private Builder() {
        }

        /**
         * @param labellers the labelling functions, in the matrix's column order (their names must match it)
         * @return this builder
         */
        public Builder labellers(List<Labeller> labellers) {
            this.labellers = List.copyOf(Objects.requireNonNull(labellers, "labellers"));
            return this;
        }

        /**
         * @param matrix the labelling functions' votes, one row per example
         * @return this builder
         */
        public Builder matrix(LabelMatrix matrix) {
            this.matrix = Objects.requireNonNull(matrix, "matrix");
            return this;
        }

        /**
         * @param labelModel the fitted label model (with the answers as gold, when there are answers)
         * @return this builder
         */
        public Builder labelModel(LabelModel labelModel) {
            this.labelModel = Objects.requireNonNull(labelModel, "labelModel");
            return this;
        }

        /**
         * @param probabilities the label model's probabilities per row (for example
         *                      {@code ActiveLearner.Result.probabilities()}); default: the label model's
         *                      {@code predictProba} on the matrix
         * @return this builder
         */
        public Builder probabilities(double[][] probabilities) {
            Objects.requireNonNull(probabilities, "probabilities");
            double[][] c = new double[probabilities.length][];
            for (int i = 0; i < c.length; i++) {
                c[i] = Objects.requireNonNull(probabilities[i], "probabilities row").clone();
            }
            this.probabilities = c;
            return this;
        }

        /**
         * @param answers the expert's class by row (default none); each becomes a gold row with weight 1
         * @return this builder
         */
        public Builder answers(Map<Integer, Integer> answers) {
            Objects.requireNonNull(answers, "answers");
            Map<Integer, Integer> m = new TreeMap<>();
            answers.forEach((row, label) -> m.put(Objects.requireNonNull(row, "answer row"),
                    Objects.requireNonNull(label, "answer label")));
            this.answers = m;
            return this;
        }

        /**
         * @param seed the seed the label model (and active learning) ran with; required, recorded in provenance
         * @return this builder
         */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /**
         * @param minWeight rows whose confidence weight falls below this get no label, in [0, 1) (default 0)
         * @return this builder
         */
        public Builder minWeight(double minWeight) {
            if (!(minWeight >= 0 && minWeight < 1)) {
                throw new IllegalArgumentException("minWeight must be in [0, 1), got " + minWeight);
            }
            this.minWeight = minWeight;
            return this;
        }

        /**
         * @param keepUncovered true to label rows where every LF abstained from the label model's output too
         *                      (default false: such rows get no label unless the expert answered them)
         * @return this builder
         */
        public Builder keepUncovered(boolean keepUncovered) {
            this.keepUncovered = keepUncovered;
            return this;
        }

        /**
         * @param createdAt the time the labels' provenance records as {@code createdAt}, for example
         *                  {@code SOURCE_DATE_EPOCH}, so two runs write the same provenance file; null (the
         *                  default) for the current time
         * @return this builder
         */
        public Builder createdAt(java.time.Instant createdAt) {
            this.createdAt = createdAt;
            return this;
        }

        /**
         * @return the labels with their provenance
         * @throws IllegalArgumentException when something required is missing, the LF names do not match the
         *                                  matrix, the probabilities do not fit the matrix (rows, classes, finite
         *                                  values), or an answer names a row or class out of range
         */
        public WeakLabelSet build() {
            if (labellers == null || matrix == null || labelModel == null || seed == null) {
                throw new IllegalArgumentException("A WeakLabelSet needs labellers, a matrix, a label model and a "
                        + "seed; missing: " + missing());
            }
            List<String> names = new ArrayList<>();
            labellers.forEach(l -> names.add(l.name()));
            if (!names.equals(matrix.lfNames())) {
                throw new IllegalArgumentException("The labellers " + names + " are not the matrix's columns "
                        + matrix.lfNames() + "; pass them in column order");
            }
            int n = matrix.rows();
            int k = matrix.numClasses();
            if (labelModel.numClasses() != k) {
                throw new IllegalArgumentException("The label model has " + labelModel.numClasses()
                        + " classes, the matrix " + k);
            }
            double[][] probs = probabilities != null ? probabilities : labelModel.predictProba(matrix);
            if (probs.length != n) {
                throw new IllegalArgumentException(probs.length + " probability rows for " + n + " matrix rows");
            }
            for (int i = 0; i < n; i++) {
                if (probs[i].length != k) {
                    throw new IllegalArgumentException("Probability row " + i + " has " + probs[i].length
                            + " classes, the matrix " + k);
                }
                for (double p : probs[i]) {
                    if (!Double.isFinite(p) || p < 0 || p > 1 + 1e-9) {
                        throw new IllegalArgumentException("Probability row " + i + " holds " + p
                                + "; probabilities must be finite and in [0, 1]");
                    }
                }
            }
            for (Map.Entry<Integer, Integer> a : answers.entrySet()) {
                if (a.getKey() < 0 || a.getKey() >= n || a.getValue() < 0 || a.getValue() >= k) {
                    throw new IllegalArgumentException("The answer for row " + a.getKey() + " (class " + a.getValue()
                            + ") is out of range: " + n + " rows, " + k + " classes");
                }
            }
            boolean[] covered = null;
            if (!keepUncovered) {
                covered = new boolean[n];
                for (int i = 0; i < n; i++) {
                    for (int j = 0; j < matrix.lfs() && !covered[i]; j++) {
                        covered[i] = matrix.get(i, j) >= 0;
                    }
                }
            }
            WeakLabels weak = WeakLabels.fromProbabilities(probs, covered, minWeight).withGold(answers);
            Provenance.Builder pb = LabelProvenance.capture(labellers, matrix, labelModel, answers, seed).toBuilder();
            if (createdAt != null) {
                pb.createdAt(createdAt);
            }
            Provenance p = pb.setting("minWeight", minWeight)
                    .setting("keepUncovered", keepUncovered)
                    .setting("labelledRows", weak.labelled())
                    .setting("goldRows", weak.goldCount())
                    .input("weak-labels", digest(weak), (long) weak.size() * 9)
                    .build();
            return new WeakLabelSet(weak, p, Collections.unmodifiableMap(new TreeMap<>(answers)));
        }

        private String missing() {
            List<String> m = new ArrayList<>();
            if (labellers == null) {
                m.add("labellers");
            }
            if (matrix == null) {
                m.add("matrix");
            }
            if (labelModel == null) {
                m.add("labelModel");
            }
            if (seed == null) {
                m.add("seed");
            }
            return String.join(", ", m);
        }

        /** SHA-256 of (class int, weight float, gold byte) per row, big-endian: pins the targets trained on. */
        private static String digest(WeakLabels w) {
            MessageDigest md = Sha256.newDigest();
            ByteBuffer b = ByteBuffer.allocate(9);
            for (int i = 0; i < w.size(); i++) {
                b.clear();
                b.putInt(w.label(i)).putFloat(w.weight(i)).put((byte) (w.isGold(i) ? 1 : 0));
                md.update(b.array());
            }
            return java.util.HexFormat.of().formatHex(md.digest());
        }
    }
}

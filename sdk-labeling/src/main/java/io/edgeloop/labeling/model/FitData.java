package io.edgeloop.labeling.model;

import io.edgeloop.labeling.matrix.LabelMatrix;
import io.edgeloop.labeling.matrix.VoteCounts;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What a label model is fitted from: the training votes as {@link VoteCounts} (sufficient statistics), optionally
 * the training rows in order (for sequence models), a class prior, a validation matrix with gold labels (used
 * only for the prior and model selection, as WRENCH does), expert answers (gold labels for some rows, which every
 * label model uses: see {@link Builder#gold(LabelMatrix, int[])}) and a seed.
 *
 * <p>Thread-safe: immutable.
 */
public final class FitData {
    private final VoteCounts counts;
    private final LabelMatrix ordered;
    private final double[] classPrior;
    private final LabelMatrix valid;
    private final int[] validGold;
    private final boolean validFrames;
    private final long seed;
    private final int maxIterations;
    private final LabelMatrix goldRows;
    private final int[] goldLabels;
    private final int[] answeredRows;
    private final boolean priorFromAnswers;

    private FitData(Builder b, VoteCounts counts, double[] classPrior, boolean priorFromAnswers) {
        this.answeredRows = b.answeredRows;
        this.priorFromAnswers = priorFromAnswers;
        this.goldRows = b.goldRows;
        this.goldLabels = b.goldLabels;
        this.counts = counts;
        this.ordered = b.ordered;
        this.classPrior = classPrior;
        this.valid = b.valid;
        this.validGold = b.validGold;
        this.validFrames = b.validFrames;
        this.seed = b.seed;
        this.maxIterations = b.maxIterations;
    }

    /** @return a new builder */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Shorthand for a matrix without validation data.
     *
     * @param train the training votes
     * @return fit data over it
     */
    public static FitData of(LabelMatrix train) {
        return builder().train(train).build();
    }

    /**
     * @return the training sufficient statistics, without the answered rows when answers were given through
     *         {@link Builder#answers} (empty when every training row is answered)
     */
    public VoteCounts counts() {
        return counts;
    }

    /** @return the number of classes */
    public int numClasses() {
        return counts.numClasses();
    }

    /** @return the training rows in order, when they form a sequence of frames */
    public Optional<LabelMatrix> sequence() {
        return Optional.ofNullable(ordered);
    }

    /**
     * The class prior: set explicitly, else WRENCH's {@code (count in valid + 1) / size of valid} from the
     * validation split, else the same formula over the expert answers.
     *
     * @return the class prior, when known
     */
    public Optional<double[]> classPrior() {
        return Optional.ofNullable(classPrior).map(double[]::clone);
    }

    /** @return the validation votes, when present */
    public Optional<LabelMatrix> valid() {
        return Optional.ofNullable(valid);
    }

    /** @return the validation gold labels (same rows as {@link #valid()}), when present */
    public Optional<int[]> validGold() {
        return Optional.ofNullable(validGold).map(int[]::clone);
    }

    /**
     * @return true when the validation rows are consecutive frames in order (set with
     *         {@link Builder#validSequence(LabelMatrix, int[])}), so a sequence model can be scored over them
     */
    public boolean validIsSequence() {
        return valid != null && validFrames;
    }

    /** @return expert-labelled rows (votes), when any; their labels are {@link #goldLabels()} */
    public Optional<LabelMatrix> goldRows() {
        return Optional.ofNullable(goldRows);
    }

    /** @return labels of {@link #goldRows()}, when any */
    public Optional<int[]> goldLabels() {
        return Optional.ofNullable(goldLabels).map(int[]::clone);
    }

    /** @return the training-row index of each expert answer, when given through {@link Builder#answers} */
    public Optional<int[]> answeredRows() {
        return Optional.ofNullable(answeredRows).map(int[]::clone);
    }

    /**
     * The class balance a model holds fixed instead of learning it: the {@linkplain #classPrior() class prior}
     * scaled to sum to 1, when it was set or comes from a validation split (as WRENCH passes it to Snorkel). A prior
     * computed from expert answers is not held fixed, since the expert is asked about uncertain rows, a biased
     * sample of the classes.
     *
     * @return one probability per class, or empty when there is no prior or it comes from expert answers
     */
    Optional<double[]> fixedClassBalance() {
        if (classPrior == null || priorFromAnswers) {
            return Optional.empty();
        }
        double s = Arrays.stream(classPrior).sum();
        double[] p = new double[classPrior.length];
        for (int c = 0; c < p.length; c++) {
            p[c] = classPrior[c] / s;
        }
        return Optional.of(p);
    }

    /** @return the seed */
    public long seed() {
        return seed;
    }

    /** @return the iteration cap for iterative models */
    public int maxIterations() {
        return maxIterations;
    }

    /**
     * The WRENCH class prior: {@code (count of class c in gold + 1) / number of gold labels}.
     *
     * @param gold       gold labels
     * @param numClasses the number of classes
     * @return the prior (not normalised, as in WRENCH)
     */
    public static double[] wrenchPrior(int[] gold, int numClasses) {
        double[] p = new double[numClasses];
        for (int g : gold) {
            if (g >= 0 && g < numClasses) {
                p[g]++;
            }
        }
        for (int c = 0; c < numClasses; c++) {
            p[c] = (p[c] + 1) / gold.length;
        }
        return p;
    }

    /** Builder for {@link FitData}. Not thread-safe. */
    public static final class Builder {
        private VoteCounts counts;
        private LabelMatrix ordered;
        private double[] classPrior;
        private LabelMatrix valid;
        private int[] validGold;
        private boolean validFrames;
        private long seed;
        private int maxIterations = 10_000;
        private LabelMatrix goldRows;
        private int[] goldLabels;
        private int[] answeredRows;
        private LabelMatrix trainMatrix;
        private LabelMatrix answersMatrix;

        private Builder() {
        }

        /**
         * Adds expert answers about training rows, by row index: as {@link #gold(LabelMatrix, int[])} with those
         * rows' votes, and the indices are kept so {@link LabelModels#labelTrainingRows} gives answered rows their
         * answer. When {@code train} is the matrix given to {@link #train(LabelMatrix)}, the answered rows leave the
         * unlabelled training counts, so the learning models observe each once, with its answer.
         *
         * @param train   the training matrix the indices refer to
         * @param answers class by training-row index; an empty map adds no answers
         * @return this builder
         */
        public Builder answers(LabelMatrix train, Map<Integer, Integer> answers) {
            Objects.requireNonNull(train, "train");
            Objects.requireNonNull(answers, "answers");
            if (answers.isEmpty()) {
                return this;
            }
            int[] rows = answers.keySet().stream().mapToInt(Integer::intValue).sorted().toArray();
            int[][] votes = new int[rows.length][train.lfs()];
            int[] labels = new int[rows.length];
            for (int r = 0; r < rows.length; r++) {
                if (rows[r] < 0 || rows[r] >= train.rows()) {
                    throw new IllegalArgumentException("answer for row " + rows[r] + ", the training matrix has rows [0, "
                            + train.rows() + ")");
                }
                for (int j = 0; j < train.lfs(); j++) {
                    votes[r][j] = train.get(rows[r], j);
                }
                labels[r] = Objects.requireNonNull(answers.get(rows[r]), "answer");
            }
            gold(LabelMatrix.ofRows(train.numClasses(), votes).withNames(train.lfNames()), labels);
            this.answeredRows = rows;
            this.answersMatrix = train;
            return this;
        }

        /**
         * Adds expert answers: rows whose class is known. Every label model but {@code snorkel-mc} (whose
         * matrix-completion objective has no place for them; it fits as without them) uses them: learning models (ds,
         * snorkel, and hmm through ds) fix these rows' posteriors to the known class in every EM step
         * (semi-supervised EM; the rows are not added to the training counts); without a validation split the class
         * prior (so {@code wmv}) comes from them; {@code auto} uses them through its candidates (it does not test
         * candidates on them: they are training rows, fitted in-sample); and {@link LabelModels#labelTrainingRows}
         * gives answered rows their answer (with {@link #answers}).
         *
         * @param rows   the answered rows' votes
         * @param labels their classes
         * @return this builder
         */
        public Builder gold(LabelMatrix rows, int[] labels) {
            this.goldRows = Objects.requireNonNull(rows, "rows");
            this.goldLabels = Objects.requireNonNull(labels, "labels").clone();
            this.answeredRows = null;
            this.answersMatrix = null;
            return this;
        }

        /**
         * @param train the training matrix (its counts are taken; the rows are not kept)
         * @return this builder
         */
        public Builder train(LabelMatrix train) {
            this.counts = VoteCounts.of(Objects.requireNonNull(train, "train"));
            this.trainMatrix = train;
            return this;
        }

        /**
         * @param counts training sufficient statistics, for example merged from several devices
         * @return this builder
         */
        public Builder counts(VoteCounts counts) {
            this.counts = Objects.requireNonNull(counts, "counts");
            this.trainMatrix = null;
            return this;
        }

        /**
         * Declares the training rows to be consecutive frames, enabling temporal models.
         *
         * @param ordered the training matrix in frame order
         * @return this builder
         */
        public Builder sequence(LabelMatrix ordered) {
            this.ordered = Objects.requireNonNull(ordered, "ordered");
            return this;
        }

        /**
         * @param classPrior a class prior, one positive weight per class
         * @return this builder
         */
        public Builder classPrior(double[] classPrior) {
            this.classPrior = Objects.requireNonNull(classPrior, "classPrior").clone();
            return this;
        }

        /**
         * Sets validation data; also sets the WRENCH class prior from its gold labels unless one was set.
         *
         * @param valid the validation votes
         * @param gold  the validation gold labels, one per row
         * @return this builder
         */
        public Builder valid(LabelMatrix valid, int[] gold) {
            this.valid = Objects.requireNonNull(valid, "valid");
            this.validGold = Objects.requireNonNull(gold, "gold").clone();
            this.validFrames = false;
            return this;
        }

        /**
         * As {@link #valid(LabelMatrix, int[])}, for validation rows that are consecutive frames in frame order (a
         * WRENCH {@code valid.json} whose rows all have a {@code data.frame} and a gold label): {@code auto} can
         * then score its frame default, majority vote with ties settled by the hidden Markov model, over them.
         *
         * @param ordered the validation votes in frame order
         * @param gold    the validation gold labels, one per row, in the same order
         * @return this builder
         */
        public Builder validSequence(LabelMatrix ordered, int[] gold) {
            valid(ordered, gold);
            this.validFrames = true;
            return this;
        }

        /**
         * @param seed the seed for any randomness
         * @return this builder
         */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /**
         * @param maxIterations iteration cap for EM, at least 1
         * @return this builder
         */
        public Builder maxIterations(int maxIterations) {
            this.maxIterations = maxIterations;
            return this;
        }

        /**
         * @return the fit data
         * @throws IllegalArgumentException when training data is missing (no training row and no expert answer) or
         *                                  shapes disagree
         */
        public FitData build() {
            if (counts == null) {
                throw new IllegalArgumentException("FitData needs training votes: call train(matrix) or counts(counts)");
            }
            if (maxIterations < 1) {
                throw new IllegalArgumentException("maxIterations must be >= 1, got " + maxIterations);
            }
            int k = counts.numClasses();
            double[] prior = classPrior;
            if (valid != null) {
                if (valid.lfs() != counts.lfs() || valid.numClasses() != k) {
                    throw new IllegalArgumentException("validation matrix has " + valid.lfs() + " LFs / "
                            + valid.numClasses() + " classes, training has " + counts.lfs() + " / " + k);
                }
                if (validGold.length != valid.rows()) {
                    throw new IllegalArgumentException(validGold.length + " gold labels for " + valid.rows()
                            + " validation rows");
                }
                for (int g : validGold) {
                    if (g < 0 || g >= k) {
                        throw new IllegalArgumentException("validation gold label " + g + " is not a class in [0, "
                                + k + ")");
                    }
                }
                if (classPrior == null && validGold.length > 0) {
                    prior = wrenchPrior(validGold, k);
                }
            }
            boolean fromAnswers = false;
            if (prior == null && goldLabels != null && goldLabels.length > 0) {
                prior = wrenchPrior(goldLabels, k);
                fromAnswers = true;
            }
            if (prior != null) {
                if (prior.length != k) {
                    throw new IllegalArgumentException("class prior has " + prior.length + " entries for " + k
                            + " classes");
                }
                for (double p : prior) {
                    if (!(p > 0) || Double.isInfinite(p)) {
                        throw new IllegalArgumentException("class prior entries must be positive and finite: "
                                + Arrays.toString(prior));
                    }
                }
            }
            if (goldRows != null) {
                if (goldRows.lfs() != counts.lfs() || goldRows.numClasses() != k || goldLabels.length != goldRows.rows()) {
                    throw new IllegalArgumentException("gold rows must match the training LFs and classes and have "
                            + "one label each");
                }
                for (int g : goldLabels) {
                    if (g < 0 || g >= k) {
                        throw new IllegalArgumentException("gold label " + g + " is not a class in [0, " + k + ")");
                    }
                }
            }
            if (ordered != null && (ordered.lfs() != counts.lfs() || ordered.numClasses() != k)) {
                throw new IllegalArgumentException("sequence matrix shape differs from the training counts");
            }
            if (ordered != null && ordered.rows() != counts.total()) {
                // The sequence must be the training rows in order; another matrix (2 rows against 5) fitted hmm.
                throw new IllegalArgumentException("the sequence matrix has " + ordered.rows() + " rows, the training "
                        + "counts " + counts.total() + "; pass the training rows in frame order");
            }
            VoteCounts unlabelled = counts;
            if (answeredRows != null && answersMatrix == trainMatrix) {
                // Answered training rows are observed once, with their known class: the learning models add them
                // as gold rows, so they leave the unlabelled counts (else EM would count each twice, once with its
                // soft posterior and once with its answer). When every row is answered the counts are empty.
                unlabelled = VoteCounts.of(trainMatrix.without(answeredRows));
            }
            if (unlabelled.total() == 0 && (goldRows == null || goldRows.rows() == 0)) {
                throw new IllegalArgumentException("FitData needs at least one training row or expert answer; the "
                        + "training votes have no rows");
            }
            return new FitData(this, unlabelled, prior, fromAnswers);
        }
    }
}

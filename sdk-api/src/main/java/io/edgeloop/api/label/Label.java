package io.edgeloop.api.label;

/**
 * A class label or an abstention, as a class index. Labels are plain {@code int}s on hot paths (a label matrix
 * holds millions of them); this type names the convention and validates values.
 *
 * <p>Thread-safe: constants and static methods only.
 */
public final class Label {
    /** The value a labelling function returns when it has no opinion. */
    public static final int ABSTAIN = -1;

    private Label() {
    }

    /**
     * @param label a label value
     * @return true when the value is {@link #ABSTAIN}
     */
    public static boolean isAbstain(int label) {
        return label == ABSTAIN;
    }

    /**
     * Checks a label against the number of classes.
     *
     * @param label      the value
     * @param numClasses the number of classes, at least 2
     * @return the value
     * @throws IllegalArgumentException when the value is neither a class index nor {@link #ABSTAIN}
     */
    public static int check(int label, int numClasses) {
        if (label != ABSTAIN && (label < 0 || label >= numClasses)) {
            throw new IllegalArgumentException("Label " + label + " is neither abstain (-1) nor a class index in [0, "
                    + numClasses + ")");
        }
        return label;
    }
}

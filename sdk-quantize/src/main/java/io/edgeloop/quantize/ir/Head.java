package io.edgeloop.quantize.ir;

/**
 * How a model's last values are read. The integer model always outputs the last layer's scores; heads are
 * monotonic, so the predicted class is the index of the largest score (lowest index on ties) for every
 * classification head, and the head only changes how the float model reports probabilities.
 *
 * <p>Thread-safe: an enum.
 */
public enum Head {
    /** Regression: the scores are the predicted values. */
    IDENTITY,
    /** Independent logistic (sigmoid) per output. */
    LOGISTIC,
    /** Softmax over the outputs. */
    SOFTMAX,
    /** Argmax over raw scores (votes, logits). */
    ARGMAX;

    /** @return whether the head makes a classifier */
    public boolean isClassification() {
        return this != IDENTITY;
    }
}

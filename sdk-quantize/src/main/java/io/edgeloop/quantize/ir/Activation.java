package io.edgeloop.quantize.ir;

/** Element-wise activation after a dense layer. Thread-safe: an enum. */
public enum Activation {
    /** Identity. */
    NONE,
    /** {@code max(0, x)}. */
    RELU,
    /** {@code min(max(0, x), 6)}. */
    RELU6;

    /**
     * @param x the input
     * @return the activation of {@code x}
     */
    public double apply(double x) {
        switch (this) {
            case RELU:
                return Math.max(0, x);
            case RELU6:
                return Math.min(Math.max(0, x), 6);
            default:
                return x;
        }
    }
}

package io.edgeloop.examples.bench.buffer;

import java.util.Arrays;

/**
 * Edgeloop's records/s divided by a baseline's, computed per repetition from two runs made one right after the
 * other (so a disk that is busy for a while slows both alike), with the median and range over the repetitions
 * and a verdict against the target.
 *
 * <p>Thread-safe: immutable (the array is copied in and out).
 *
 * @param recordBytes    the payload size
 * @param edgeloopPolicy Edgeloop's policy ({@code always}, {@code group}, {@code none})
 * @param vs             the baseline, e.g. {@code "raw group"} or {@code "tape always"}
 * @param perRepetition  the ratio of each repetition, in run order
 * @param target         the target ratio (at least), or null when the issue sets none
 */
public record PairedRatio(int recordBytes, String edgeloopPolicy, String vs, double[] perRepetition, Double target) {
    /** Copies the ratios. */
    public PairedRatio {
        if (perRepetition.length == 0) {
            throw new IllegalArgumentException("at least one repetition");
        }
        perRepetition = perRepetition.clone();
    }

    @Override
    public double[] perRepetition() {
        return perRepetition.clone();
    }

    /** @return the median of the per-repetition ratios (the lower middle one for an even count) */
    public double median() {
        double[] s = perRepetition.clone();
        Arrays.sort(s);
        return s[(s.length - 1) / 2];
    }

    /** @return the smallest per-repetition ratio */
    public double min() {
        return Arrays.stream(perRepetition).min().orElseThrow();
    }

    /** @return the largest per-repetition ratio */
    public double max() {
        return Arrays.stream(perRepetition).max().orElseThrow();
    }

    /**
     * @return {@code "met"} when every repetition reached the target, {@code "not met"} when none did,
     *         {@code "inconclusive"} when the range straddles it, null without a target
     */
    public String verdict() {
        if (target == null) {
            return null;
        }
        if (min() >= target) {
            return "met";
        }
        return max() < target ? "not met" : "inconclusive";
    }
}

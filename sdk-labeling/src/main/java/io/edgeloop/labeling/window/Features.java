package io.edgeloop.labeling.window;

import io.edgeloop.api.record.QualityFlag;
import io.edgeloop.api.window.Window;

/**
 * The standard window features, computed per channel and named {@code <channel>.<feature>}: {@code mean},
 * {@code std} (population), {@code min}, {@code max}, {@code range}, {@code rms}, {@code slope} (least-squares,
 * units per second from the sample timestamps), {@code zero_crossings} (sign changes of the mean-removed
 * signal), {@code energy} (mean of squares of the mean-removed signal), {@code first}, {@code last}, and
 * optionally {@code band<i>} (share of energy per frequency band).
 *
 * <p>A channel with any missing (NaN) or infinite sample gets NaN for every feature: bad data is never averaged
 * away; the window itself carries the {@code MISSING} flag (NaN, set by {@link Window}) or the
 * {@code OUT_OF_RANGE} flag (an infinite sample, set here), so {@link Window#hasBadData()} is true either way.
 * Finite samples give finite features except {@code energy} (a square) and {@code range} when they exceed the
 * double range: very large samples are scaled by a power of two (exactly) before squaring.
 *
 * <p>{@code slope} is NaN (undefined) when the samples span no time: a single sample, or several with one timestamp
 * (the windower keeps records that share a timestamp but differ in sequence number or values). A rate per second
 * over zero seconds is not 0: reporting 0 would state "no change" without evidence, and an LF such as
 * {@code CO2.slope below 0.01} voted on it. NaN is what every consumer already reads as "no value": a condition on it
 * is UNKNOWN (the LF abstains, as {@code Conditions.rate} does over no time), and an end model that uses the slope
 * gets no row for the window ({@code FeatureTable.complete} is false). The window carries no quality flag for it:
 * its readings are sound, and its other features stay defined.
 *
 * <p>Thread-safe: static methods only.
 */
public final class Features {
    /** The feature suffixes always computed. */
    public static final String[] NAMES = {"mean", "std", "min", "max", "range", "rms", "slope", "zero_crossings",
        "energy", "first", "last"};

    private Features() {
    }

    /**
     * Adds the features of one channel to a window builder.
     *
     * @param b       the window builder
     * @param channel the channel name
     * @param v       the samples
     * @param ts      the sample timestamps in milliseconds
     * @param bands   number of spectral bands, 0 for none
     */
    public static void add(Window.Builder b, String channel, double[] v, long[] ts, int bands) {
        int n = v.length;
        boolean bad = n == 0;
        double maxAbs = 0;
        for (double x : v) {
            if (Double.isInfinite(x)) {
                // Not a reading: mark the window as bad data, as the record flags and NaN (MISSING) do.
                b.flag(QualityFlag.OUT_OF_RANGE);
            }
            if (!Double.isFinite(x)) {
                bad = true;
            } else {
                maxAbs = Math.max(maxAbs, Math.abs(x));
            }
        }
        if (bad) {
            for (String f : NAMES) {
                b.feature(channel + "." + f, Double.NaN);
            }
            for (int i = 0; i < bands; i++) {
                b.feature(channel + ".band" + i, Double.NaN);
            }
            return;
        }
        // Very large samples (above 1e150) are scaled by a power of two, which is exact, so sums of squares do not
        // overflow: rms, std and slope of finite samples stay finite. Smaller samples are not scaled at all.
        int exp = maxAbs > 1e150 ? Math.getExponent(maxAbs) : 0;
        double[] u = exp == 0 ? v : new double[n];
        if (exp != 0) {
            for (int i = 0; i < n; i++) {
                u[i] = Math.scalb(v[i], -exp);
            }
        }
        double sum = 0;
        double sq = 0;
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (double x : u) {
            sum += x;
            sq += x * x;
        }
        for (double x : v) {
            min = Math.min(min, x);
            max = Math.max(max, x);
        }
        double mean = sum / n;
        double var = 0;
        int crossings = 0;
        double prev = 0;
        for (int i = 0; i < n; i++) {
            double d = u[i] - mean;
            var += d * d;
            if (i > 0 && ((prev < 0 && d >= 0) || (prev >= 0 && d < 0)) && d != 0 && prev != 0) {
                crossings++;
            }
            if (d != 0) {
                prev = d;
            }
        }
        double slope = Double.NaN; // undefined over no time span (see the class comment)
        if (n > 1) {
            double tm = 0;
            for (long t : ts) {
                tm += (t - ts[0]) / 1000.0;
            }
            tm /= n;
            double num = 0;
            double den = 0;
            for (int i = 0; i < n; i++) {
                double dt = (ts[i] - ts[0]) / 1000.0 - tm;
                num += dt * (u[i] - mean);
                den += dt * dt;
            }
            slope = den > 0 ? num / den : Double.NaN;
        }
        b.feature(channel + ".mean", Math.scalb(mean, exp));
        b.feature(channel + ".std", Math.scalb(Math.sqrt(var / n), exp));
        b.feature(channel + ".min", min);
        b.feature(channel + ".max", max);
        b.feature(channel + ".range", max - min);
        b.feature(channel + ".rms", Math.scalb(Math.sqrt(sq / n), exp));
        b.feature(channel + ".slope", Math.scalb(slope, exp));
        b.feature(channel + ".zero_crossings", crossings);
        // A square: beyond about 1e154 it is not representable and is +Infinity (FeatureTable refuses it).
        b.feature(channel + ".energy", Math.scalb(var / n, 2 * exp));
        b.feature(channel + ".first", v[0]);
        b.feature(channel + ".last", v[n - 1]);
        if (bands > 0) {
            double[] e = bandEnergy(u, mean, bands);
            for (int i = 0; i < bands; i++) {
                b.feature(channel + ".band" + i, e[i]);
            }
        }
    }

    /**
     * Share of the mean-removed signal's spectral energy in equal-width bands over frequencies 1..n/2.
     *
     * @param v     samples
     * @param mean  their mean
     * @param bands number of bands
     * @return shares summing to 1 (all 0 for a constant signal)
     */
    static double[] bandEnergy(double[] v, double mean, int bands) {
        int n = v.length;
        int half = n / 2;
        double[] out = new double[bands];
        double total = 0;
        for (int f = 1; f <= half; f++) {
            double re = 0;
            double im = 0;
            for (int t = 0; t < n; t++) {
                double a = 2 * Math.PI * f * t / n;
                re += (v[t] - mean) * Math.cos(a);
                im -= (v[t] - mean) * Math.sin(a);
            }
            double p = re * re + im * im;
            int band = Math.min(bands - 1, (f - 1) * bands / Math.max(1, half));
            out[band] += p;
            total += p;
        }
        if (total > 0) {
            for (int i = 0; i < bands; i++) {
                out[i] /= total;
            }
        }
        return out;
    }
}

package io.edgeloop.labeling.window;

import io.edgeloop.api.window.Window;

/**
 * The standard window features, computed per channel and named {@code <channel>.<feature>}: {@code mean},
 * {@code std} (population), {@code min}, {@code max}, {@code range}, {@code rms}, {@code slope} (least-squares,
 * units per second from the sample timestamps), {@code zero_crossings} (sign changes of the mean-removed
 * signal), {@code energy} (mean of squares of the mean-removed signal), {@code first}, {@code last}, and
 * optionally {@code band<i>} (share of energy per frequency band).
 *
 * <p>A channel with any missing (NaN) sample gets NaN for every feature: bad data is never averaged away; the
 * window itself carries the {@code MISSING} flag.
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
        for (double x : v) {
            if (!Double.isFinite(x)) {
                bad = true;
                break;
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
        double sum = 0;
        double sq = 0;
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (double x : v) {
            sum += x;
            sq += x * x;
            min = Math.min(min, x);
            max = Math.max(max, x);
        }
        double mean = sum / n;
        double var = 0;
        int crossings = 0;
        double prev = 0;
        for (int i = 0; i < n; i++) {
            double d = v[i] - mean;
            var += d * d;
            if (i > 0 && ((prev < 0 && d >= 0) || (prev >= 0 && d < 0)) && d != 0 && prev != 0) {
                crossings++;
            }
            if (d != 0) {
                prev = d;
            }
        }
        double slope = 0;
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
                num += dt * (v[i] - mean);
                den += dt * dt;
            }
            slope = den > 0 ? num / den : 0;
        }
        b.feature(channel + ".mean", mean);
        b.feature(channel + ".std", Math.sqrt(var / n));
        b.feature(channel + ".min", min);
        b.feature(channel + ".max", max);
        b.feature(channel + ".range", max - min);
        b.feature(channel + ".rms", Math.sqrt(sq / n));
        b.feature(channel + ".slope", slope);
        b.feature(channel + ".zero_crossings", crossings);
        b.feature(channel + ".energy", var / n);
        b.feature(channel + ".first", v[0]);
        b.feature(channel + ".last", v[n - 1]);
        if (bands > 0) {
            double[] e = bandEnergy(v, mean, bands);
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

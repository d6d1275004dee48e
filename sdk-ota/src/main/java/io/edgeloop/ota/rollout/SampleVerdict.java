package io.edgeloop.ota.rollout;

/**
 * How a campaign judges a small sample (see {@link Campaign}): the statistics behind its rate and shadow-gate
 * verdicts. A rate observed on a group of devices (a wave, or one variant's devices in it) is compared with the
 * limit directly once the group holds {@link RolloutPlan#minVariantDevices()} devices; a smaller group breaches only
 * when its failures are evidence: when a fleet failing at exactly the limit would show that many failures among
 * that many devices less often than {@link #SIGNIFICANCE} (a one-sided exact binomial test), or when every device of
 * at least {@link #MIN_ALL_FAILED} failed.
 *
 * <p>Thread-safe: stateless.
 */
final class SampleVerdict {
    /**
     * The significance level of the small-sample tests: a group smaller than the minimum sample breaches when its
     * failures (or its low shadow agreement) would happen by chance less than 5 % of the time at the limit.
     */
    static final double SIGNIFICANCE = 0.05;

    /** Every device of a group of at least this many failing breaches, whatever the limit. */
    static final int MIN_ALL_FAILED = 2;

    /** One-sided 95 % Student t quantiles for 1..30 degrees of freedom. */
    private static final double[] T95 = {6.314, 2.920, 2.353, 2.132, 2.015, 1.943, 1.895, 1.860, 1.833, 1.812, 1.796,
        1.782, 1.771, 1.761, 1.753, 1.746, 1.740, 1.734, 1.729, 1.725, 1.721, 1.717, 1.714, 1.711, 1.708, 1.706, 1.703,
        1.701, 1.699, 1.697};

    private SampleVerdict() {
    }

    /**
     * @param limit a failure-rate limit in [0, 1]
     * @param failures failures observed
     * @param devices devices in the group (positive)
     * @return the chance that a group of {@code devices} failing independently at exactly {@code limit} shows at
     *         least {@code failures} failures
     */
    static double tailProbability(double limit, int failures, int devices) {
        if (failures <= 0) {
            return 1;
        }
        if (limit <= 0) {
            return 0;
        }
        if (limit >= 1) {
            return 1;
        }
        // log-space pmf so that large groups do not underflow: pmf(k+1) = pmf(k) * (n-k)/(k+1) * p/(1-p)
        double logPmf = devices * Math.log1p(-limit);
        double logOdds = Math.log(limit) - Math.log1p(-limit);
        double below = 0;
        for (int k = 0; k < failures; k++) {
            below += Math.exp(logPmf);
            logPmf += Math.log((double) (devices - k) / (k + 1)) + logOdds;
        }
        return Math.max(0, 1 - below);
    }

    /**
     * Why a group's failures breach the limit, or null when they do not.
     *
     * @param maxFailureRate the plan's failure-rate limit
     * @param minSuccessRate the plan's success-rate minimum (a failure rate above {@code 1 - minSuccessRate} breaches
     *                   too, and the binomial test uses the lower of the two limits)
     * @param failures   failed and silent devices
     * @param devices    devices in the group
     * @param minSample  the plan's minimum sample for a plain rate verdict
     * @param exhausted  true when the group is all the devices of it there are (a variant's last wave): its every
     *                   device failing breaches whatever its size, as no later wave brings more evidence
     * @return null, or how it breaches ("" for a plain rate breach on a sample of at least {@code minSample})
     */
    static String breach(double maxFailureRate, double minSuccessRate, int failures, int devices, int minSample,
            boolean exhausted) {
        if (devices == 0 || !((double) failures / devices > maxFailureRate
                || (double) (devices - failures) / devices < minSuccessRate)) {
            return null;
        }
        double limit = Math.min(maxFailureRate, 1 - minSuccessRate);
        if (devices >= minSample) {
            return "";
        }
        if (failures == devices && (devices >= MIN_ALL_FAILED || exhausted)) {
            return exhausted && devices < MIN_ALL_FAILED ? "every device of it failed and none is left to try"
                    : "every device failed";
        }
        double p = tailProbability(limit, failures, devices);
        if (p < SIGNIFICANCE) {
            return String.format(java.util.Locale.ROOT, "%d failures among %d are unlikely at the limit (p = %.3f)",
                    failures, devices, p);
        }
        return null;
    }

    /**
     * Whether a canary's shadow agreements fall below the gate. With at least {@code minSample} devices (or one
     * device: no spread to measure) the mean is compared with the gate; with 2 to {@code minSample - 1} devices the
     * gate halts only when the one-sided 95 % upper confidence bound of the mean (Student t over the devices'
     * agreements) is below it, so one device that happens to agree less on its inputs does not halt a canary of six.
     *
     * @param agreements each compared device's agreement
     * @param gate       the plan's minimum shadow agreement
     * @param minSample  the plan's minimum sample
     * @return null when the gate passes, else the upper bound compared (the mean when compared directly)
     */
    static Double shadowBelow(double[] agreements, double gate, int minSample) {
        int n = agreements.length;
        double mean = 0;
        for (double a : agreements) {
            mean += a;
        }
        mean /= n;
        if (mean >= gate) {
            return null;
        }
        if (n >= minSample || n == 1) {
            return mean;
        }
        double ss = 0;
        for (double a : agreements) {
            ss += (a - mean) * (a - mean);
        }
        double sd = Math.sqrt(ss / (n - 1));
        double upper = mean + t95(n - 1) * sd / Math.sqrt(n);
        return upper < gate ? upper : null;
    }

    /** One-sided 95 % t quantile; beyond 30 degrees of freedom the Cornish-Fisher correction of the normal one. */
    static double t95(int df) {
        if (df <= T95.length) {
            return T95[df - 1];
        }
        double z = 1.6449;
        return z + (z * z * z + z) / (4.0 * df);
    }
}

package io.edgeloop.examples.customlabeller;

import io.edgeloop.api.label.Label;
import io.edgeloop.api.label.Labeller;
import io.edgeloop.api.window.Window;

/**
 * Example of a domain labelling function a building engineer would write: people breathe out CO2 and switch the
 * lights on. A window votes <em>occupied</em> (class 1) when the lights are on and CO2 rises by at least
 * {@code minRisePpm} over the window, <em>empty</em> (class 0) when the lights are off and CO2 does not rise, and
 * abstains otherwise, including whenever a sample it needs is missing.
 *
 * <p>It reads the raw samples ({@link Window#values(String)}), so it works on any window carrying the two
 * channels, whatever features the windowing stage computed.
 *
 * <p>Thread-safe: immutable, a pure function of the window.
 */
public final class Co2RiseLabeller implements Labeller {
    /** Class index for an empty room. */
    public static final int EMPTY = 0;
    /** Class index for an occupied room. */
    public static final int OCCUPIED = 1;

    private final String co2Channel;
    private final String lightChannel;
    private final double minRisePpm;
    private final double lightOnLux;

    /**
     * @param co2Channel   the CO2 channel name (ppm)
     * @param lightChannel the illuminance channel name (lux)
     * @param minRisePpm   the CO2 rise over the window that counts as breathing people, positive
     * @param lightOnLux   the illuminance above which the lights count as on, positive
     */
    public Co2RiseLabeller(String co2Channel, String lightChannel, double minRisePpm, double lightOnLux) {
        this.co2Channel = java.util.Objects.requireNonNull(co2Channel, "co2Channel");
        this.lightChannel = java.util.Objects.requireNonNull(lightChannel, "lightChannel");
        if (!(minRisePpm > 0) || !(lightOnLux > 0)) {
            throw new IllegalArgumentException("minRisePpm and lightOnLux must be positive, got " + minRisePpm
                    + " and " + lightOnLux);
        }
        this.minRisePpm = minRisePpm;
        this.lightOnLux = lightOnLux;
    }

    @Override
    public String name() {
        return "co2-rise";
    }

    @Override
    public int numClasses() {
        return 2;
    }

    @Override
    public int label(Window window) {
        if (window.size() < 2 || window.channelIndex(co2Channel) < 0 || window.channelIndex(lightChannel) < 0
                || window.missingCount(co2Channel) > 0 || window.missingCount(lightChannel) > 0) {
            return Label.ABSTAIN;
        }
        double[] co2 = window.values(co2Channel);
        double[] light = window.values(lightChannel);
        double rise = co2[co2.length - 1] - co2[0];
        double meanLight = 0;
        for (double l : light) {
            meanLight += l;
        }
        meanLight /= light.length;
        if (meanLight >= lightOnLux && rise >= minRisePpm) {
            return OCCUPIED;
        }
        if (meanLight < lightOnLux && rise <= 0) {
            return EMPTY;
        }
        return Label.ABSTAIN;
    }

    @Override
    public String toString() {
        return "co2-rise[" + co2Channel + " +" + minRisePpm + " ppm, " + lightChannel + " >= " + lightOnLux + " lx]";
    }
}

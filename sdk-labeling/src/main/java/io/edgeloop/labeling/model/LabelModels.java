package io.edgeloop.labeling.model;

import java.util.List;
import java.util.Objects;

/**
 * Fits label models by name: {@code mv}, {@code wmv}, {@code ds}, {@code snorkel}, {@code hmm}, {@code auto}.
 *
 * <p>Thread-safe: static methods only.
 */
public final class LabelModels {
    /** The names {@link #fit(String, FitData)} accepts. */
    public static final List<String> NAMES = List.of("mv", "wmv", "ds", "snorkel", "hmm", "auto");

    private LabelModels() {
    }

    /**
     * Fits a label model.
     *
     * @param name one of {@link #NAMES}
     * @param data training counts and optional prior / validation data
     * @return the fitted model
     * @throws IllegalArgumentException for an unknown name or data the model cannot use
     */
    public static LabelModel fit(String name, FitData data) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(data, "data");
        switch (name) {
            case "mv":
                return MajorityVote.plain(data);
            case "wmv":
                return MajorityVote.weighted(data);
            case "ds":
                return DawidSkene.fit(data);
            case "snorkel":
                return SnorkelStyleModel.fit(data);
            case "hmm":
                return TemporalModel.fit(data);
            case "auto":
                return AutoLabelModel.fit(data);
            default:
                throw new IllegalArgumentException("unknown label model '" + name + "'; available: " + NAMES);
        }
    }
}

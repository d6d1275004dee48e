package io.edgeloop.cli.label;

import io.edgeloop.labeling.model.LabelModels;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * The options every {@code label} command that fits a label model on a WRENCH set shares: {@code --wrench},
 * {@code --model} and {@code --seed} (a picocli mixin).
 *
 * <p>Not thread-safe: one instance per invocation.
 */
final class WrenchModelOptions {
    @Option(names = "--wrench", required = true, paramLabel = "DIR",
            description = "WRENCH directory with train.json, test.json, label.json and optionally valid.json.")
    Path dir;

    @Option(names = "--model", defaultValue = "auto", paramLabel = "MODEL",
            description = "mv, wmv, ds, snorkel, snorkel-mc, hmm or auto (default: ${DEFAULT-VALUE}).")
    private String model;

    @Option(names = "--seed", defaultValue = "0", description = "Seed (default: ${DEFAULT-VALUE}).")
    long seed;

    /**
     * @return the label model name
     * @throws IllegalArgumentException when it is not one of {@link LabelModels#NAMES}
     */
    String model() {
        if (!LabelModels.NAMES.contains(model)) {
            throw new IllegalArgumentException("unknown --model '" + model + "'; available: " + LabelModels.NAMES);
        }
        return model;
    }

    /**
     * The label model, for a command that feeds it expert answers.
     *
     * @param what what the answers come with, for the message ({@code "--answers"}, {@code "label query"})
     * @return the label model name
     * @throws IllegalArgumentException when it is unknown, or is {@code snorkel-mc}, which cannot use answers
     */
    String modelUsingAnswers(String what) {
        String m = model();
        if (m.equals("snorkel-mc")) {
            throw new IllegalArgumentException("--model snorkel-mc cannot use expert answers (Snorkel's matrix "
                    + "completion has no place for them), so " + what + " would change nothing; use snorkel, ds, "
                    + "hmm, wmv, mv or auto");
        }
        return m;
    }
}

package io.edgeloop.cli.label;

import io.edgeloop.labeling.io.WrenchDataset;
import io.edgeloop.labeling.io.WrenchEvaluation;
import io.edgeloop.labeling.model.LabelModels;
import io.edgeloop.labeling.model.Scores;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code edgeloop label fit}: fits a label model on a WRENCH data set's train split and scores its test split.
 *
 * <p>Not thread-safe: one instance per invocation.
 */
@Command(name = "fit", mixinStandardHelpOptions = true,
        description = "Fit a label model on a WRENCH data set (train; valid only for the class prior and model "
                + "selection) and score the test split.")
public final class LabelFitCommand implements Callable<Integer> {
    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Option(names = "--wrench", required = true, paramLabel = "DIR",
            description = "WRENCH directory with train.json, test.json, label.json and optionally valid.json.")
    private Path dir;

    @Option(names = "--model", defaultValue = "auto", paramLabel = "MODEL",
            description = "mv, wmv, ds, snorkel, snorkel-mc, hmm or auto (default: ${DEFAULT-VALUE}).")
    private String model;

    @Option(names = "--seed", defaultValue = "0", description = "Seed (default: ${DEFAULT-VALUE}).")
    private long seed;

    @Option(names = "--json", description = "Print the result as JSON.")
    private boolean json;

    @Override
    public Integer call() throws Exception {
        if (!LabelModels.NAMES.contains(model)) {
            throw new IllegalArgumentException("unknown --model '" + model + "'; available: " + LabelModels.NAMES);
        }
        WrenchDataset data = WrenchDataset.read(dir);
        Scores s = WrenchEvaluation.evaluate(data, model, seed);
        spec.commandLine().getOut().println(json ? toJson(model, s) : String.format(Locale.ROOT,
                "%s on %s test (%d rows): accuracy %.2f, f1_binary %s, f1_macro %.2f", model, data.name(), s.n(),
                s.accuracy(), Double.isNaN(s.f1Binary()) ? "n/a" : String.format(Locale.ROOT, "%.2f", s.f1Binary()),
                s.f1Macro()));
        spec.commandLine().getOut().flush();
        return 0;
    }

    /**
     * Formats scores as the command's JSON.
     *
     * @param model the model name
     * @param s     the scores
     * @return {@code {"model": ..., "test": {"accuracy": ..., "f1_binary": ..., "f1_macro": ...}}}
     */
    static String toJson(String model, Scores s) {
        StringBuilder b = new StringBuilder();
        b.append("{\"model\": \"").append(model).append("\", \"test\": {\"accuracy\": ")
                .append(num(s.accuracy()));
        if (!Double.isNaN(s.f1Binary())) {
            b.append(", \"f1_binary\": ").append(num(s.f1Binary()));
        }
        b.append(", \"f1_macro\": ").append(num(s.f1Macro())).append("}}");
        return b.toString();
    }

    private static String num(double v) {
        return String.format(Locale.ROOT, "%.2f", v);
    }
}

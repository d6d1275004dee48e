package io.edgeloop.cli.label;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.edgeloop.labeling.active.AnswersFile;
import io.edgeloop.labeling.io.WrenchDataset;
import io.edgeloop.labeling.io.WrenchEvaluation;
import io.edgeloop.labeling.model.Scores;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code edgeloop label fit}: fits a label model on a WRENCH data set's train split (optionally with expert
 * answers on train rows, from {@code label query}) and scores its test split.
 *
 * <p>Not thread-safe: one instance per invocation.
 */
@Command(name = "fit", mixinStandardHelpOptions = true,
        description = "Fit a label model on a WRENCH data set (train; valid only for the class prior and model "
                + "selection) and score the test split.")
public final class LabelFitCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ROW_BY_ROW = "test rows have no data.frame sequence: scored row by row, without "
            + "the Markov chain";

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin
    private WrenchModelOptions wrench;

    @Option(names = "--answers", paramLabel = "FILE",
            description = "Expert answers on train rows, one JSON object per line: {\"row\": <0-based position in "
                    + "train.json, file order>, \"label\": <class index>} or {\"id\": <train.json row id>, "
                    + "\"label\": ..} (the answers.jsonl of a `label query --queue` directory). ds, "
                    + "snorkel and hmm learn from them, wmv takes its class prior from them when there is no "
                    + "valid.json, auto uses them through its candidates; mv's test figures do not change (answers "
                    + "only label their own rows); snorkel-mc cannot use them and is refused.")
    private Path answersFile;

    @Option(names = "--json", description = "Print the result as JSON.")
    private boolean json;

    @Override
    public Integer call() throws Exception {
        io.edgeloop.cli.PathOption.requireNonEmpty("--wrench", wrench.dir);
        io.edgeloop.cli.PathOption.requireNonEmpty("--answers", answersFile);
        String model = answersFile == null ? wrench.model() : wrench.modelUsingAnswers("--answers");
        Path dir = wrench.dir;
        long seed = wrench.seed;
        WrenchDataset data = WrenchDataset.read(dir);
        Map<Integer, Integer> answers = Map.of();
        if (answersFile != null) {
            if (Files.isDirectory(answersFile)) {
                throw new IllegalArgumentException("--answers " + answersFile + " is a directory; give the answers "
                        + "file (for a queue: " + answersFile.resolve("answers.jsonl") + ")");
            }
            // any readable non-directory: a pipe (--answers <(...)) too; isRegularFile called it missing
            if (!Files.exists(answersFile)) {
                throw new IllegalArgumentException("--answers " + answersFile + ": no such file");
            }
            AnswersFile.Contents contents = AnswersFile.read(answersFile, data.numClasses(), data.train().size(),
                    data.train().fileRowsById());
            QueueIdentity.checkAnswers(answersFile, contents, data, spec.commandLine().getErr());
            answers = contents.answers();
        }
        WrenchEvaluation.Fitted fitted = WrenchEvaluation.evaluate(data, model, seed, answers);
        Scores s = fitted.scores();
        Map<String, String> settings = fitted.model().settings();
        // A sequence model scores test rows that are not frames one by one (WrenchEvaluation.predict): say so.
        boolean rowByRow = fitted.model().isSequenceModel() && !data.test().ordered();
        warnIfNothingScored(spec.commandLine().getErr(), dir, data, s);
        if (json) {
            String out = toJson(model, s, data.numClasses(), answersFile == null ? -1 : answers.size(), settings);
            if (rowByRow) {
                out = out.substring(0, out.length() - 1) + ", \"test_scoring\": \"" + ROW_BY_ROW + "\"}";
            }
            spec.commandLine().getOut().println(out);
        } else {
            if (rowByRow) {
                spec.commandLine().getOut().println("note: " + ROW_BY_ROW);
            }
            spec.commandLine().getOut().println(String.format(Locale.ROOT,
                    "%s%s on %s test (%d rows): accuracy %s, f1_binary %s, f1_macro %s%s", model,
                    settings.containsKey("auto.chosen") ? " (chose " + settings.get("auto.chosen") + ")" : "",
                    data.name(), s.n(), text(s.accuracy()), text(s.f1Binary()), text(s.f1Macro()),
                    answersFile == null ? "" : ", with " + answers.size() + " expert answers"));
        }
        spec.commandLine().getOut().flush();
        return 0;
    }

    /**
     * Formats scores as the command's JSON: {@code {"model": ..., "test": {"accuracy": ..., "f1_binary": ...,
     * "f1_macro": ...}}} ({@code f1_binary} for two classes only; a figure that is undefined because no test row has
     * a gold label is {@code null}), with the fields this implementation adds: {@code test.rows} (the test rows
     * scored: those with a gold label), {@code answers} (when an answers file was given), {@code chosen} and
     * {@code selection} (for {@code auto}: the candidate it chose and the tests behind the choice).
     *
     * @param model      the model name
     * @param s          the scores
     * @param numClasses the number of classes
     * @param answers    the number of expert answers used, or -1 when none were given
     * @param settings   the fitted model's settings
     * @return the JSON text
     */
    static String toJson(String model, Scores s, int numClasses, int answers, Map<String, String> settings) {
        StringBuilder b = new StringBuilder();
        b.append("{\"model\": \"").append(model).append("\", \"test\": {\"accuracy\": ")
                .append(num(s.accuracy()));
        if (numClasses == 2) {
            b.append(", \"f1_binary\": ").append(num(s.f1Binary()));
        }
        b.append(", \"f1_macro\": ").append(num(s.f1Macro())).append(", \"rows\": ").append(s.n()).append("}");
        if (answers >= 0) {
            b.append(", \"answers\": ").append(answers);
        }
        if (settings.containsKey("auto.chosen")) {
            Map<String, String> selection = new LinkedHashMap<>();
            settings.forEach((k, v) -> {
                if (k.startsWith("auto.") && !k.equals("auto.chosen")) {
                    selection.put(k.substring("auto.".length()), v);
                }
            });
            try {
                b.append(", \"chosen\": ").append(JSON.writeValueAsString(settings.get("auto.chosen")))
                        .append(", \"selection\": ").append(JSON.writeValueAsString(selection));
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalStateException("cannot encode settings", e);
            }
        }
        return b.append("}").toString();
    }

    /**
     * Says on stderr why the test figures are null when no test row has a gold label. The figures are undefined by
     * design then and the exit code stays 0, as the fit itself succeeded.
     */
    static void warnIfNothingScored(java.io.PrintWriter err, Path dir, WrenchDataset data, Scores s) {
        if (s.n() == 0) {
            err.println("edgeloop: warning: no row of " + dir.resolve("test.json") + " has a gold label (all "
                    + data.test().size() + " are null), so there is nothing to score: the test figures are null");
            err.flush();
        }
    }

    /** A figure for JSON: two decimals, {@code null} when undefined (NaN is not JSON). */
    private static String num(double v) {
        return Double.isNaN(v) ? "null" : String.format(Locale.ROOT, "%.2f", v);
    }

    /** A figure for text: two decimals, {@code n/a} when undefined. */
    static String text(double v) {
        return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.2f", v);
    }
}

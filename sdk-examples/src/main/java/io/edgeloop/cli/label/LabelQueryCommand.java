package io.edgeloop.cli.label;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.edgeloop.labeling.active.ActiveLearner;
import io.edgeloop.labeling.active.AnswersFile;
import io.edgeloop.labeling.active.BatchSelector;
import io.edgeloop.api.label.Expert;
import io.edgeloop.labeling.active.FileQueueExpert;
import io.edgeloop.labeling.active.QueryStrategy;
import io.edgeloop.labeling.active.SimulatedOracle;
import io.edgeloop.labeling.io.WrenchDataset;
import io.edgeloop.labeling.io.WrenchEvaluation;
import io.edgeloop.labeling.matrix.LabelMatrix;
import io.edgeloop.labeling.model.Scores;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code edgeloop label query}: active learning on a WRENCH data set's train split. Picks the most informative,
 * mutually diverse train rows for a domain expert ({@link ActiveLearner}), asks them through a file queue, a
 * prompt or a simulated oracle, and scores the label model refitted with the answers on the test split. Answers
 * are written as {@code {"row": .., "label": ..}} lines, the format {@code label fit --answers} reads.
 *
 * <p>Not thread-safe: one instance per invocation.
 */
@Command(name = "query", mixinStandardHelpOptions = true,
        description = "Active learning: ask an expert (file queue, prompt or simulated oracle) for the labels of "
                + "the most informative train rows, then score the label model refitted with the answers.")
public final class LabelQueryCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin
    private WrenchModelOptions wrench;

    @Option(names = "--budget", required = true, paramLabel = "N",
            description = "Answers to hold at the end (answers from earlier runs of a queue count; a skipped "
                    + "question is not an answer, so a later run asks another in its place).")
    private int budget;

    @ArgGroup(exclusive = true, multiplicity = "1")
    private ExpertChoice expertChoice;

    /** Who answers: exactly one of the three. */
    static final class ExpertChoice {
        @Option(names = "--queue", paramLabel = "DIR", required = true,
                description = "File queue (docs/formats/expert-queue.md): questions are appended to "
                        + "DIR/queries.jsonl, answers read from DIR/answers.jsonl; rerun to pick answers up. One run "
                        + "per queue at a time: a second one fails at once.")
        Path queue;

        @Option(names = "--prompt", required = true,
                description = "Ask at this terminal: shows the row's data, LF votes and model belief; answer with a "
                        + "class name or index, empty to skip.")
        boolean prompt;

        @Option(names = "--oracle", required = true,
                description = "Answer from train.json's gold labels (a simulated expert, to measure a budget).")
        boolean oracle;
    }

    @Option(names = "--strategy", defaultValue = "least-confidence", paramLabel = "S",
            description = "least-confidence, margin, entropy, disagreement or committee (default: ${DEFAULT-VALUE}).")
    private String strategy;

    @Option(names = "--batch", defaultValue = "10", paramLabel = "N",
            description = "Questions per round; the model is refitted between rounds (default: ${DEFAULT-VALUE}).")
    private int batch;

    @Option(names = "--max-questions", paramLabel = "N",
            description = "Most questions to ask in this run, skipped ones included (default: the answers still "
                    + "missing, minus questions a queue already has pending; with a queue it can only lower that, "
                    + "so the queue never holds more open questions than answers still missing).")
    private Integer maxQuestions;

    @Option(names = "--answers-out", paramLabel = "FILE",
            description = "Append each answer to FILE as it arrives, and each skip as \"label\": null so it is not "
                    + "asked again (required with --prompt; a queue keeps its own answers.jsonl). A new FILE starts "
                    + "with the data set's identity; a FILE of another data set is refused.")
    private Path answersOut;

    @Option(names = "--json", description = "Print the result as JSON.")
    private boolean json;

    /** The open queue (its lock is held for the whole run), or null. */
    private FileQueueExpert queue;

    @Override
    public Integer call() throws Exception {
        try {
            return run();
        } finally {
            if (queue != null) {
                queue.close();
            }
        }
    }

    private Integer run() throws Exception {
        io.edgeloop.cli.PathOption.requireNonEmpty("--wrench", wrench.dir);
        io.edgeloop.cli.PathOption.requireNonEmpty("--queue", expertChoice.queue);
        io.edgeloop.cli.PathOption.requireNonEmpty("--answers-out", answersOut);
        String model = wrench.modelUsingAnswers("label query");
        Path dir = wrench.dir;
        long seed = wrench.seed;
        QueryStrategy qs = strategy(strategy);
        if (budget < 0) {
            throw new IllegalArgumentException("--budget must be >= 0, got " + budget);
        }
        if (batch < 1) {
            throw new IllegalArgumentException("--batch must be >= 1, got " + batch);
        }
        if (expertChoice.prompt && answersOut == null) {
            throw new IllegalArgumentException("--prompt needs --answers-out FILE, so answers survive the session");
        }
        if (answersOut != null && expertChoice.queue != null) {
            throw new IllegalArgumentException("--answers-out is for --prompt and --oracle; a queue keeps its answers "
                    + "in " + expertChoice.queue.resolve("answers.jsonl"));
        }
        WrenchDataset data = WrenchDataset.read(dir);
        LabelMatrix pool = data.train().matrix();
        int k = data.numClasses();

        Expert expert;
        Map<Integer, Integer> known = new LinkedHashMap<>();
        Set<Integer> alreadyAsked = new HashSet<>();
        Set<Integer> skipped = new HashSet<>();
        boolean created = false;
        PrintWriter err = spec.commandLine().getErr();
        // Under --json, stdout carries the JSON only: prompts and notices go to stderr.
        PrintWriter talk = json ? err : spec.commandLine().getOut();
        if (expertChoice.queue != null) {
            queue = new FileQueueExpert(expertChoice.queue, k, w -> {
                err.println("edgeloop: warning: " + w);
                err.flush();
            }, data.train().idsInFileOrder());
            created = QueueIdentity.checkOrCreate(expertChoice.queue, data);
            Path queueAnswers = expertChoice.queue.resolve("answers.jsonl");
            AnswersFile.Contents qa = AnswersFile.read(queueAnswers, k, pool.rows(), data.train().fileRowsById());
            QueueIdentity.checkAnswers(queueAnswers, qa, data, err);
            known.putAll(qa.answers());
            alreadyAsked.addAll(queue.queued());
            skipped.addAll(queue.skipped());
            alreadyAsked.addAll(skipped);
            expert = queue;
        } else if (expertChoice.oracle) {
            // The oracle is asked about file-order rows (WrenchEvaluation.activeLearning).
            int[] gold = data.train().goldInFileOrder();
            if (java.util.Arrays.stream(gold).noneMatch(g -> g >= 0)) {
                throw new IllegalArgumentException(dir.resolve("train.json") + " has no gold labels; --oracle needs "
                        + "them");
            }
            expert = new SimulatedOracle(gold);
        } else {
            expert = new WrenchPrompt(dir.resolve("train.json"), data, System.in, talk);
        }
        if (answersOut != null) {
            AnswerRecorder.Opened recorder = AnswerRecorder.open(expert, answersOut, data, err);
            known.putAll(recorder.contents().answers());
            skipped.addAll(recorder.contents().skipped());
            alreadyAsked.addAll(known.keySet());
            alreadyAsked.addAll(skipped);
            expert = recorder.expert();
        }
        int pending = 0;
        for (int row : alreadyAsked) {
            if (!known.containsKey(row) && !skipped.contains(row)) {
                pending++;
            }
        }
        int questions = maxQuestions != null ? maxQuestions : Math.max(0, budget - known.size() - pending);
        if (questions < 0) {
            throw new IllegalArgumentException("--max-questions must be >= 0, got " + questions);
        }
        if (queue != null) {
            // A queue never grows past the budget, whatever --max-questions says.
            questions = Math.min(questions, Math.max(0, budget - known.size() - pending));
        }
        WrenchEvaluation.requireUsable(data, model, known); // said in WRENCH terms, not FitData's
        ActiveLearner learner = new ActiveLearner(model, qs, batch, BatchSelector.DEFAULT_POOL_FACTOR, seed);
        int asked;
        Map<Integer, Integer> answers;
        try {
            // Score and ask with the model reported below: WRENCH's fit data (validation split, frame sequence);
            // every row number in and out is the file-order train row.
            ActiveLearner.Result r = WrenchEvaluation.activeLearning(data, learner, seed, expert, budget, known,
                    alreadyAsked, questions);
            asked = r.asked();
            answers = r.answers();
        } catch (WrenchPrompt.InputEnded e) {
            // The terminal closed: every answer given so far is already in --answers-out.
            asked = e.asked;
            answers = AnswersFile.read(answersOut, k, pool.rows(), data.train().fileRowsById()).answers();
            talk.printf(Locale.ROOT, "%ninput ended; %d answer(s) are in %s%n", answers.size(), answersOut);
            talk.flush();
        }
        int stillPending = 0;
        if (queue != null) {
            Map<Integer, Integer> answered = queue.answers();
            Set<Integer> skippedNow = queue.skipped();
            for (int row : queue.queued()) {
                if (!answered.containsKey(row) && !skippedNow.contains(row)) {
                    stillPending++;
                }
            }
        }
        WrenchEvaluation.Fitted fitted = WrenchEvaluation.evaluate(data, model, seed, answers);
        LabelFitCommand.warnIfNothingScored(spec.commandLine().getErr(), dir, data, fitted.scores());
        print(asked, answers.size(), stillPending, created, fitted, data);
        return 0;
    }

    private void print(int asked, int answers, int pending, boolean created, WrenchEvaluation.Fitted fitted,
            WrenchDataset data) {
        PrintWriter out = spec.commandLine().getOut();
        Scores s = fitted.scores();
        String expertName = expertChoice.queue != null ? "queue" : expertChoice.oracle ? "oracle" : "prompt";
        if (json) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("model", wrench.model());
            m.put("strategy", strategy);
            m.put("expert", expertName);
            m.put("asked", asked);
            m.put("answers", answers);
            if (expertChoice.queue != null) {
                m.put("pending", pending);
                m.put("queue", expertChoice.queue.toString());
                m.put("created", created);
            }
            Map<String, Object> test = new LinkedHashMap<>();
            test.put("accuracy", round(s.accuracy()));
            if (data.numClasses() == 2) {
                test.put("f1_binary", round(s.f1Binary()));
            }
            test.put("f1_macro", round(s.f1Macro()));
            test.put("rows", s.n());
            m.put("test", test);
            String chosen = fitted.model().settings().get("auto.chosen");
            if (chosen != null) {
                m.put("chosen", chosen);
            }
            try {
                out.println(JSON.writeValueAsString(m));
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalStateException("cannot encode the result", e);
            }
        } else {
            if (created) {
                out.printf(Locale.ROOT, "created queue %s for %s%n", expertChoice.queue, data.name());
            }
            out.printf(Locale.ROOT, "asked %d question(s) (%s, %s); %d answer(s)%s%n", asked, expertName, strategy,
                    answers, expertChoice.queue != null ? ", " + pending + " pending in "
                            + expertChoice.queue.resolve("queries.jsonl") : "");
            out.printf(Locale.ROOT, "%s with the answers on %s test (%d rows): accuracy %s, f1_binary %s, "
                    + "f1_macro %s%n", wrench.model(), data.name(), s.n(), LabelFitCommand.text(s.accuracy()),
                    LabelFitCommand.text(s.f1Binary()), LabelFitCommand.text(s.f1Macro()));
        }
        out.flush();
    }

    /**
     * Two decimals, printed as {@code label fit --json} prints them ({@code 84.00}, not {@code 84.0}); null (JSON
     * null) when the figure is undefined, as with no gold label on test.
     */
    private static java.math.BigDecimal round(double v) {
        return Double.isNaN(v) ? null : new java.math.BigDecimal(String.format(Locale.ROOT, "%.2f", v));
    }

    static QueryStrategy strategy(String name) {
        for (QueryStrategy q : QueryStrategy.values()) {
            if (q.name().toLowerCase(Locale.ROOT).replace('_', '-').equals(name)) {
                return q;
            }
        }
        List<String> names = new ArrayList<>();
        for (QueryStrategy q : QueryStrategy.values()) {
            names.add(q.name().toLowerCase(Locale.ROOT).replace('_', '-'));
        }
        throw new IllegalArgumentException("unknown --strategy '" + name + "'; available: " + names);
    }
}

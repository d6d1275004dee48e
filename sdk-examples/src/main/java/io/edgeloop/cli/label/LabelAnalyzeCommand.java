package io.edgeloop.cli.label;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.edgeloop.labeling.io.WrenchDataset;
import io.edgeloop.labeling.io.WrenchSplit;
import io.edgeloop.labeling.matrix.LfAnalysis;
import io.edgeloop.labeling.matrix.LfStats;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code edgeloop label analyze}: prints the labelling-function table of a WRENCH data set: coverage, overlap,
 * conflict and polarity on train, empirical accuracy on the labelled rows of valid (test when valid is absent or
 * has no labelled row).
 *
 * <p>Not thread-safe: one instance per invocation.
 */
@Command(name = "analyze", mixinStandardHelpOptions = true,
        description = "Print the labelling-function table (coverage, overlap, conflict, polarity, accuracy).")
public final class LabelAnalyzeCommand implements Callable<Integer> {
    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Option(names = "--wrench", required = true, paramLabel = "DIR", description = "WRENCH directory.")
    private Path dir;

    @Option(names = "--json", description = "Print the table as JSON.")
    private boolean json;

    @Override
    public Integer call() throws Exception {
        io.edgeloop.cli.PathOption.requireNonEmpty("--wrench", dir);
        WrenchDataset data = WrenchDataset.read(dir);
        List<LfStats> train = LfAnalysis.of(data.train().matrix());
        // Rows with a null gold label are unknown (LfAnalysis skips them); valid is used when any row is labelled.
        WrenchSplit goldSplit = data.valid().filter(v -> v.labelledRows().size() > 0).orElse(data.test());
        List<LfStats> gold = LfAnalysis.of(goldSplit.matrix(), goldSplit.gold());
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            List<Map<String, Object>> rows = new ArrayList<>();
            for (int j = 0; j < train.size(); j++) {
                LfStats t = train.get(j);
                Map<String, Object> r = new LinkedHashMap<>();
                r.put("lf", t.name());
                r.put("coverage", t.coverage());
                r.put("overlap", t.overlap());
                r.put("conflict", t.conflict());
                r.put("polarity", t.polarity());
                double acc = gold.get(j).empiricalAccuracy();
                r.put("accuracy", Double.isNaN(acc) ? null : acc);
                r.put("accuracy_votes", gold.get(j).goldVotes());
                rows.add(r);
            }
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("dataset", data.name());
            doc.put("accuracy_split", goldSplit.name());
            doc.put("lfs", rows);
            out.println(new ObjectMapper().writeValueAsString(doc));
        } else {
            out.printf(Locale.ROOT, "%s: %d train rows, %d LFs, %d classes; accuracy on %s%n", data.name(),
                    data.train().size(), data.lfs(), data.numClasses(), goldSplit.name());
            out.printf(Locale.ROOT, "%-8s %9s %8s %9s %-10s %9s %6s%n", "lf", "coverage", "overlap", "conflict",
                    "polarity", "accuracy", "n");
            for (int j = 0; j < train.size(); j++) {
                LfStats t = train.get(j);
                LfStats g = gold.get(j);
                out.printf(Locale.ROOT, "%-8s %8.2f%% %7.2f%% %8.2f%% %-10s %9s %6d%n", t.name(), 100 * t.coverage(),
                        100 * t.overlap(), 100 * t.conflict(), t.polarity(),
                        Double.isNaN(g.empiricalAccuracy()) ? "-"
                                : String.format(Locale.ROOT, "%.2f%%", 100 * g.empiricalAccuracy()),
                        g.goldVotes());
            }
        }
        out.flush();
        return 0;
    }
}

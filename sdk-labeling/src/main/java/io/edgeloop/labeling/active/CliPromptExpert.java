package io.edgeloop.labeling.active;

import io.edgeloop.api.label.ExpertQuery;
import io.edgeloop.api.label.Expert;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A person at a terminal: prints the row's features, LF votes and the model's belief, then reads a class name
 * or index; an empty line or {@code skip} skips; end of input skips every further question.
 *
 * <p>Not thread-safe: one prompt at a time.
 */
public final class CliPromptExpert implements Expert {
    private final BufferedReader in;
    private final PrintWriter out;
    private final List<String> classNames;
    private final List<String> featureNames;

    /**
     * @param in           where answers are read
     * @param out          where questions are printed
     * @param classNames   class names by index
     * @param featureNames feature names, in {@link ExpertQuery#features()} order
     */
    public CliPromptExpert(BufferedReader in, PrintWriter out, List<String> classNames, List<String> featureNames) {
        this.in = in;
        this.out = out;
        this.classNames = List.copyOf(classNames);
        this.featureNames = List.copyOf(featureNames);
    }

    @Override
    public String name() {
        return "cli";
    }

    @Override
    public Optional<Integer> answer(ExpertQuery q) throws IOException {
        out.printf(Locale.ROOT, "row %d%n", q.row());
        double[] f = q.features();
        for (int i = 0; i < f.length && i < featureNames.size(); i++) {
            out.printf(Locale.ROOT, "  %-24s %.4g%n", featureNames.get(i), f[i]);
        }
        out.printf(Locale.ROOT, "  LF votes %s, model %s%n", Arrays.toString(q.votes()),
                Arrays.toString(Arrays.stream(q.probabilities()).map(x -> Math.round(x * 100) / 100.0).toArray()));
        for (int attempt = 0; attempt < 3; attempt++) {
            out.print("class " + classNames + " (empty to skip): ");
            out.flush();
            String line = in.readLine();
            if (line == null) {
                return Optional.empty();
            }
            line = line.trim();
            if (line.isEmpty() || line.equalsIgnoreCase("skip")) {
                return Optional.empty();
            }
            int idx = classNames.indexOf(line);
            if (idx < 0 && line.matches("\\d+") && Integer.parseInt(line) < classNames.size()) {
                idx = Integer.parseInt(line);
            }
            if (idx >= 0) {
                return Optional.of(idx);
            }
            out.println("'" + line + "' is not one of " + classNames + " or an index 0.." + (classNames.size() - 1));
        }
        return Optional.empty();
    }
}

package io.edgeloop.labeling.active;

import io.edgeloop.api.label.ExpertQuery;
import io.edgeloop.api.label.Expert;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A person at a terminal: prints the row's features, LF votes and the model's belief, then reads a class name
 * (case-insensitive when that is unambiguous) or index. A name is read before an index; when class names are
 * digits naming other classes' indices ({@code {"0": "1", "1": "0"}}) the prompt pairs each index with its name. An empty line or {@code skip} skips the row and says so;
 * three unrecognised answers in a row skip it too (and say so); end of input returns empty and sets
 * {@link #inputEnded()}, so a caller can tell a closed terminal from a skip. No input line makes it throw.
 *
 * <p>Not thread-safe: one prompt at a time.
 */
public final class CliPromptExpert implements Expert {
    /** Unrecognised answers before a row is skipped. */
    static final int ATTEMPTS = 3;

    private final BufferedReader in;
    private final PrintWriter out;
    private final List<String> classNames;
    private final List<String> featureNames;
    /** The choices the prompt offers. */
    private final String choices;
    private boolean inputEnded;

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
        boolean clash = false;
        for (int i = 0; i < this.classNames.size(); i++) {
            String name = this.classNames.get(i);
            clash |= name.matches("\\d{1,9}") && Integer.parseInt(name) != i;
        }
        // Names that are other classes' indices ({"0": "1", "1": "0"}): an answer is read as a name first, so the
        // prompt pairs each index with its name instead of listing names alone.
        List<String> shownNames = new ArrayList<>();
        for (int i = 0; i < this.classNames.size(); i++) {
            shownNames.add(clash ? i + "='" + this.classNames.get(i) + "'" : this.classNames.get(i));
        }
        this.choices = clash ? "class by name " + shownNames + " (names are read before indices)"
                : "class " + shownNames;
    }

    @Override
    public String name() {
        return "cli";
    }

    /** @return true once the input has ended; every later question returns empty without reading */
    public boolean inputEnded() {
        return inputEnded;
    }

    @Override
    public Optional<Integer> answer(ExpertQuery q) throws IOException {
        if (inputEnded) {
            return Optional.empty();
        }
        out.printf(Locale.ROOT, "row %d%n", q.row());
        double[] f = q.features();
        for (int i = 0; i < f.length && i < featureNames.size(); i++) {
            out.printf(Locale.ROOT, "  %-24s %.4g%n", featureNames.get(i), f[i]);
        }
        out.printf(Locale.ROOT, "  LF votes %s, model %s%n", Arrays.toString(q.votes()),
                Arrays.toString(Arrays.stream(q.probabilities()).map(x -> Math.round(x * 100) / 100.0).toArray()));
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            out.print(choices + " (empty to skip): ");
            out.flush();
            String line = in.readLine();
            if (line == null) {
                inputEnded = true;
                out.println();
                out.flush();
                return Optional.empty();
            }
            line = line.strip();
            if (line.isEmpty() || line.equalsIgnoreCase("skip")) {
                out.println("skipped row " + q.row());
                out.flush();
                return Optional.empty();
            }
            Optional<Integer> idx = parse(line);
            if (idx.isPresent()) {
                return idx;
            }
        }
        out.println("skipped row " + q.row() + " after " + ATTEMPTS + " unrecognised answers");
        out.flush();
        return Optional.empty();
    }

    /** A class by exact name, by name ignoring case when only one class matches, or by index; else says why not. */
    private Optional<Integer> parse(String line) {
        int exact = classNames.indexOf(line);
        if (exact >= 0) {
            return Optional.of(exact);
        }
        List<Integer> folded = new ArrayList<>();
        for (int i = 0; i < classNames.size(); i++) {
            if (classNames.get(i).equalsIgnoreCase(line)) {
                folded.add(i);
            }
        }
        if (folded.size() == 1) {
            return Optional.of(folded.get(0));
        }
        if (folded.size() > 1) {
            List<String> names = new ArrayList<>();
            folded.forEach(i -> names.add(classNames.get(i)));
            out.println("'" + shown(line) + "' matches " + names + " ignoring case; type one exactly or its index");
            return Optional.empty();
        }
        // At most 9 digits always fits an int; longer numbers are out of range anyway.
        if (line.matches("\\d{1,9}")) {
            int i = Integer.parseInt(line);
            if (i < classNames.size()) {
                return Optional.of(i);
            }
        }
        out.println("'" + shown(line) + "' is not one of " + classNames + " or an index 0.." + (classNames.size() - 1));
        return Optional.empty();
    }

    private static String shown(String line) {
        return line.length() <= 40 ? line : line.substring(0, 40) + "...";
    }
}

package io.edgeloop.cli.train;

import io.edgeloop.quantize.train.CsvData;
import io.edgeloop.quantize.train.TribuoTraining;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import org.tribuo.Model;
import org.tribuo.classification.Label;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code edgeloop train}: trains a Tribuo classifier on a CSV file and writes it ({@code Model.serializeToFile}),
 * ready for {@code edgeloop quantize}.
 *
 * <p>Not thread-safe: one instance per invocation.
 */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Train a float model on a CSV file with Tribuo (header row, numeric features, label column of "
                + "strings or integers).")
public final class TrainCommand implements Callable<Integer> {
    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Option(names = "--csv", required = true, paramLabel = "F", description = "Training CSV with a header row.")
    private Path csv;

    @Option(names = "--label", required = true, paramLabel = "COLUMN", description = "The label column.")
    private String label;

    @Option(names = "--drop", split = ",", paramLabel = "COL", description = "Columns to ignore (comma-separated).")
    private List<String> drop = List.of();

    @Option(names = "--algo", defaultValue = "logistic", paramLabel = "ALGO",
            description = "logistic, cart or forest (default: ${DEFAULT-VALUE}).")
    private String algo;

    @Option(names = "--seed", defaultValue = "1", description = "Seed (default: ${DEFAULT-VALUE}).")
    private long seed;

    @Option(names = "--out", required = true, paramLabel = "MODEL", description = "The model file to write.")
    private Path out;

    @Override
    public Integer call() throws Exception {
        if (!Files.isRegularFile(csv)) {
            throw new IllegalArgumentException("CSV file " + csv + " does not exist");
        }
        Set<String> d = new LinkedHashSet<>(drop);
        CsvData data = CsvData.read(csv, label, d);
        Model<Label> m = TribuoTraining.train(data, algo, seed);
        Path parent = out.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        m.serializeToFile(out);
        spec.commandLine().getOut().println(String.format(Locale.ROOT,
                "trained %s on %d rows (%d features: %s), training accuracy %.2f%%, wrote %s", algo, data.size(),
                data.features().size(), String.join(", ", data.features()), TribuoTraining.accuracy(m, data), out));
        spec.commandLine().getOut().flush();
        return 0;
    }
}

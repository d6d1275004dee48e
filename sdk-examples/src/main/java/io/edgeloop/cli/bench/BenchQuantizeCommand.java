package io.edgeloop.cli.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.edgeloop.quantize.bench.QuantizeBenchmark;
import io.edgeloop.quantize.scheme.Scheme;
import io.edgeloop.quantize.train.CsvData;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code edgeloop bench quantize}: Java integer runtime predictions per second against Tribuo's float
 * {@code predict} on the same model and rows.
 *
 * <p>Not thread-safe: one instance per invocation.
 */
@Command(name = "quantize", mixinStandardHelpOptions = true,
        description = "Java integer runtime vs Tribuo float predict throughput on the same models.")
public final class BenchQuantizeCommand implements Callable<Integer> {
    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Option(names = "--csv", paramLabel = "F", description = "Labelled rows (default: 5,000 synthetic rows).")
    private Path csv;

    @Option(names = "--label", paramLabel = "COLUMN", description = "Label column of --csv.")
    private String label;

    @Option(names = "--drop", split = ",", paramLabel = "COL", description = "Columns of --csv to ignore.")
    private List<String> drop = List.of();

    @Option(names = "--millis", defaultValue = "1500", description = "Measuring time per side in ms, 1 to 600000 (default: ${DEFAULT-VALUE}).")
    private long millis;

    @Option(names = "--json", description = "Print JSON.")
    private boolean json;

    @Override
    public Integer call() throws Exception {
        if (millis < 1 || millis > 600_000) {
            throw new IllegalArgumentException("--millis must be between 1 and 600000 (10 minutes), got " + millis);
        }
        if (csv == null && (label != null || !drop.isEmpty())) {
            // as --csv without --label is refused: the synthetic rows have no such columns, so it used to be ignored
            throw new IllegalArgumentException((label != null ? "--label " + label : "--drop " + String.join(",", drop))
                    + " names a column of --csv, which is not given (without --csv the benchmark uses 5,000 synthetic "
                    + "rows); add --csv FILE or omit " + (label != null ? "--label" : "--drop"));
        }
        CsvData data;
        if (csv != null) {
            if (label == null) {
                throw new IllegalArgumentException("--csv needs --label");
            }
            data = CsvData.read(csv, label, new LinkedHashSet<>(drop));
        } else {
            data = QuantizeBenchmark.synthetic(5000, 7);
        }
        List<Map<String, Object>> results = new ArrayList<>();
        for (String algo : new String[] {"logistic", "forest"}) {
            for (Scheme s : new Scheme[] {Scheme.INT8, Scheme.INT16, Scheme.INT32}) {
                results.add(QuantizeBenchmark.run(data, algo, s, millis));
            }
        }
        if (json) {
            spec.commandLine().getOut().println(new ObjectMapper().writeValueAsString(Map.of("results", results)));
        } else {
            for (Map<String, Object> r : results) {
                spec.commandLine().getOut().println(String.format(Locale.ROOT,
                        "%-8s %-5s tribuo float %,12d/s   java int %,12d/s   ratio %.2fx", r.get("model"), r.get("scheme"),
                        r.get("tribuoFloatPredictionsPerSecond"), r.get("javaIntegerPredictionsPerSecond"), r.get("ratio")));
            }
        }
        spec.commandLine().getOut().flush();
        return 0;
    }
}

package io.edgeloop.cli.quantize;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.edgeloop.cli.PathOption;
import io.edgeloop.quantize.workflow.QuantizeWorkflow;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code edgeloop quantize eval}: float and quantized accuracy (percent) on the same labelled rows.
 *
 * <p>Not thread-safe: one instance per invocation.
 */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = "Accuracy of the float and the quantized model on the same rows.")
public final class QuantizeEvalCommand implements Callable<Integer> {
    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "A quantized-model directory.")
    private Path dir;

    @Option(names = "--csv", required = true, paramLabel = "F", description = "Labelled rows.")
    private Path csv;

    @Option(names = "--label", required = true, paramLabel = "COLUMN", description = "The label column.")
    private String label;

    @Option(names = "--json", description = "Print JSON.")
    private boolean json;

    @Override
    public Integer call() throws Exception {
        PathOption.requireNonEmpty("--model", dir);
        PathOption.requireNonEmpty("--csv", csv);
        Map<String, Object> r = QuantizeWorkflow.eval(dir, csv, label);
        if (json) {
            spec.commandLine().getOut().println(new ObjectMapper().writeValueAsString(r));
        } else {
            spec.commandLine().getOut().println(String.format(Locale.ROOT,
                    "%d rows: float accuracy %.3f%%, quantized accuracy %.3f%%, agreement %.3f%%", r.get("rows"),
                    ((Map<?, ?>) r.get("float")).get("accuracy"), ((Map<?, ?>) r.get("quantized")).get("accuracy"),
                    r.get("agreement")));
        }
        spec.commandLine().getOut().flush();
        return 0;
    }
}

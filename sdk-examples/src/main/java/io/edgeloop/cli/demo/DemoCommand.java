package io.edgeloop.cli.demo;

import io.edgeloop.cli.Edgeloop;
import io.edgeloop.examples.demo.Demo;
import io.edgeloop.examples.demo.DemoConsole;
import io.edgeloop.examples.demo.DemoOptions;
import io.edgeloop.examples.demo.report.DemoResults;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code edgeloop demo [--out DIR] [--devices N] [--seed S] [--mqtt HOST:PORT]}: runs the whole loop on one
 * machine and writes {@code report.html} and {@code summary.json} to DIR. The logic is in
 * {@link io.edgeloop.examples.demo.Demo}. Exits 1 when a step failed (the report is still written).
 *
 * <p>Not thread-safe: one instance per invocation.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Run the whole loop on one machine and write a report.",
                "Simulated avr8, cortex-m3 and jvm devices replay the UCI occupancy data through durable buffers, "
                        + "the data is labelled, a model is trained, quantized per variant and rolled out; "
                        + "DIR receives report.html and summary.json."})
public final class DemoCommand implements Callable<Integer> {
    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = DemoOptions.DEFAULT_OUT,
            description = "Output directory (default: ${DEFAULT-VALUE}).")
    private Path out;

    @Option(names = "--devices", paramLabel = "N", defaultValue = "" + DemoOptions.DEFAULT_DEVICES,
            description = "Simulated devices, 3 to " + DemoOptions.MAX_DEVICES + " (default: ${DEFAULT-VALUE}).")
    private int devices;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "42",
            description = "Seed of every random choice (default: ${DEFAULT-VALUE}).")
    private long seed;

    @Option(names = "--mqtt", paramLabel = "HOST:PORT",
            description = "Forward through this MQTT broker instead of HTTP on loopback.")
    private String mqtt;

    @Override
    public Integer call() throws Exception {
        // The console shows progress; the libraries' INFO logs (retries and the like) would bury it.
        Edgeloop.quietLibraryLogsUnlessVerbose(spec);
        DemoOptions options = new DemoOptions(out, devices, seed, Optional.ofNullable(mqtt));
        DemoConsole console = new DemoConsole(spec.commandLine().getOut(), System.console() != null);
        DemoResults r = new Demo(options, console).run();
        boolean failed = r.steps().stream().anyMatch(s -> s.status() == DemoResults.Status.FAILED);
        return failed ? 1 : 0;
    }
}

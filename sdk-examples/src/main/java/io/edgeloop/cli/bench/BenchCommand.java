package io.edgeloop.cli.bench;

import io.edgeloop.cli.CommandGroup;
import picocli.CommandLine.Command;

/**
 * {@code edgeloop bench}: Benchmarks that print figures side by side with their baselines.
 *
 * <p>Not thread-safe: one instance per invocation.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Benchmarks that print figures side by side with their baselines.",
        subcommands = {
                BenchBufferCommand.class,
                BenchDrainCommand.class,
                BenchLabelCommand.class,
                BenchOtaCommand.class,
                BenchIngestCommand.class,
                BenchQuantizeCommand.class,
                BenchServeCommand.class,
        })
public final class BenchCommand extends CommandGroup {
}

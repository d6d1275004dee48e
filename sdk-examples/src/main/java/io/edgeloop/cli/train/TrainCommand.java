package io.edgeloop.cli.train;

import io.edgeloop.cli.CommandGroup;
import picocli.CommandLine.Command;

/**
 * {@code edgeloop train}: Train a float model on a CSV file with Tribuo.
 *
 * <p>Not thread-safe: one instance per invocation.
 */
@Command(name = "train", mixinStandardHelpOptions = true, description = "Train a float model on a CSV file with Tribuo.",
        subcommands = {})
public final class TrainCommand extends CommandGroup {
}

package io.edgeloop.cli.label;

import io.edgeloop.cli.CommandGroup;
import picocli.CommandLine.Command;

/**
 * {@code edgeloop label}: Fit label models and analyse labelling functions.
 *
 * <p>Not thread-safe: one instance per invocation.
 */
@Command(name = "label", mixinStandardHelpOptions = true, description = "Fit label models and analyse labelling functions.",
        subcommands = {
                LabelFitCommand.class,
                LabelAnalyzeCommand.class,
        })
public final class LabelCommand extends CommandGroup {
}

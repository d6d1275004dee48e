package io.edgeloop.cli.label;

import io.edgeloop.cli.CommandGroup;
import picocli.CommandLine.Command;

/**
 * {@code edgeloop label}: Fit label models and analyse labelling functions.
 *
 * <p>Not thread-safe: one instance per invocation.
 */
@Command(name = "label", mixinStandardHelpOptions = true, description = "Fit label models, analyse labelling functions and ask an expert (active learning).",
        subcommands = {
                LabelFitCommand.class,
                LabelAnalyzeCommand.class,
                LabelQueryCommand.class,
        })
public final class LabelCommand extends CommandGroup {
}

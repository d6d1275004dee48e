package io.edgeloop.cli.quantize;

import io.edgeloop.cli.CommandGroup;
import picocli.CommandLine.Command;

/**
 * {@code edgeloop quantize}: Quantize models, evaluate them and check parity on targets.
 *
 * <p>Not thread-safe: one instance per invocation.
 */
@Command(name = "quantize", mixinStandardHelpOptions = true, description = "Quantize models, evaluate them and check parity on targets.",
        subcommands = {})
public final class QuantizeCommand extends CommandGroup {
}

package io.edgeloop.cli.demo;

import io.edgeloop.cli.CommandGroup;
import picocli.CommandLine.Command;

/**
 * {@code edgeloop demo}: Run the whole loop on one machine and write a report.
 *
 * <p>Not thread-safe: one instance per invocation.
 */
@Command(name = "demo", mixinStandardHelpOptions = true, description = "Run the whole loop on one machine and write a report.",
        subcommands = {})
public final class DemoCommand extends CommandGroup {
}

package io.edgeloop.cli;

import picocli.CommandLine;

/**
 * Base for subcommand groups ({@code edgeloop buffer}, {@code edgeloop bench}, ...): run without a subcommand,
 * a group prints its usage and exits with {@link Edgeloop#EXIT_USAGE}.
 *
 * <p>Not thread-safe: one instance per invocation.
 */
public abstract class CommandGroup implements java.util.concurrent.Callable<Integer> {
    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        CommandLine cl = spec.commandLine();
        cl.getErr().println("edgeloop: '" + spec.qualifiedName() + "' needs a subcommand");
        cl.usage(cl.getErr());
        return Edgeloop.EXIT_USAGE;
    }
}

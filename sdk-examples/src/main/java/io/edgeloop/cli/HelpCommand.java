package io.edgeloop.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code edgeloop help [COMMAND...]}: prints the usage of the tool, of a command or of a subcommand
 * ({@code edgeloop help buffer drain}). picocli's own help command takes one name only and printed
 * {@code buffer}'s usage for {@code help buffer drain}, ignoring {@code drain}. An unknown name is a usage error
 * (exit 2) that names it.
 *
 * <p>Not thread-safe: one instance per invocation.
 */
@Command(name = "help", helpCommand = true, synopsisHeading = "Usage: ",
        description = "Print the usage of the tool or of a command, for example: edgeloop help buffer drain.")
public final class HelpCommand implements CommandLine.IHelpCommandInitializable2, Runnable {
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    private boolean helpRequested;

    @Parameters(paramLabel = "COMMAND", arity = "0..*",
            description = "The command, and its subcommands, to print the usage of (default: the tool's).")
    private String[] commands = new String[0];

    private CommandLine self;
    private CommandLine.Help.ColorScheme colorScheme;
    private PrintWriter out;

    @Override
    public void init(CommandLine helpCommandLine, CommandLine.Help.ColorScheme colorScheme, PrintWriter outWriter,
            PrintWriter errWriter) {
        this.self = helpCommandLine;
        this.colorScheme = colorScheme;
        this.out = outWriter;
    }

    @Override
    public void run() {
        CommandLine target = self.getParent();
        for (String name : commands) {
            CommandLine sub = target.getSubcommands().get(name);
            if (sub == null) {
                throw new CommandLine.ParameterException(target, "Unknown command '" + name + "' in '"
                        + target.getCommandSpec().qualifiedName() + " " + name + "'", null, name);
            }
            target = sub;
        }
        target.usage(out, colorScheme);
        out.flush();
    }
}

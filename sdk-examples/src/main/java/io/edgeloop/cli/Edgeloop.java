package io.edgeloop.cli;

import io.edgeloop.api.EdgeloopVersion;
import io.edgeloop.cli.bench.BenchCommand;
import io.edgeloop.cli.buffer.BufferCommand;
import io.edgeloop.cli.bundle.BundleCommand;
import io.edgeloop.cli.demo.DemoCommand;
import io.edgeloop.cli.label.LabelCommand;
import io.edgeloop.cli.quantize.QuantizeCommand;
import io.edgeloop.cli.rollout.RolloutCommand;
import io.edgeloop.cli.train.TrainCommand;
import io.edgeloop.examples.http.TcpNoDelay;
import io.edgeloop.ota.bundle.PrintableText;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The {@code edgeloop} command-line tool. Subcommand groups: {@code buffer}, {@code label}, {@code train},
 * {@code quantize}, {@code bundle}, {@code rollout}, {@code bench}, {@code demo}; {@code help [COMMAND...]} prints
 * the usage of the tool or of a command ({@link HelpCommand}).
 *
 * <p>Errors print one line ({@code edgeloop: <message>}) and exit non-zero; {@code --verbose} adds the stack
 * trace. Exit codes: 0 success, 1 the command failed, 2 bad usage.
 *
 * <p>Not thread-safe: one instance per invocation.
 */
@Command(name = "edgeloop", mixinStandardHelpOptions = true, versionProvider = Edgeloop.Version.class,
        description = "Machine learning on IoT devices: buffer, label, train, quantize, bundle and roll out models.",
        subcommands = {BufferCommand.class, LabelCommand.class, TrainCommand.class, QuantizeCommand.class,
                BundleCommand.class, RolloutCommand.class, BenchCommand.class, DemoCommand.class,
                HelpCommand.class})
public final class Edgeloop implements Runnable {
    /** Exit code for a command that failed. */
    public static final int EXIT_FAILURE = 1;
    /** Exit code for bad usage. */
    public static final int EXIT_USAGE = 2;

    /** Held strongly: java.util.logging keeps loggers weakly, and a collected logger forgets its level. */
    private static final java.util.logging.Logger TRIBUO_LOG = java.util.logging.Logger.getLogger("org.tribuo");
    /** Guards the two fields below: commands may run concurrently in one JVM ({@link #run} from several threads). */
    private static final Object TRIBUO_LEVEL_LOCK = new Object();
    /** Quiet commands running now; the first sets WARNING, the last restores {@link #tribuoLevelBefore}. */
    private static int quietCommands;
    private static java.util.logging.Level tribuoLevelBefore;

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Option(names = "--verbose", scope = CommandLine.ScopeType.INHERIT,
            description = "Print stack traces for errors, and the libraries' progress logs (Tribuo's training log, the "
                    + "simulated agents' INFO lines), which every command otherwise keeps quiet.")
    private boolean verbose;

    /**
     * Runs the tool and exits the JVM with its exit code.
     *
     * @param args the command line
     */
    public static void main(String[] args) {
        System.exit(run(args));
    }

    /**
     * Runs the tool without exiting, for tests and embedding.
     *
     * @param args the command line
     * @return the exit code
     */
    public static int run(String... args) {
        return run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args);
    }

    /**
     * Runs the tool with the given output streams, without exiting.
     *
     * @param out  standard output
     * @param err  standard error
     * @param args the command line
     * @return the exit code
     */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cl = commandLine();
        cl.setOut(out);
        cl.setErr(err);
        return execute(cl, args);
    }

    /**
     * Executes a configured command line; an {@link OutOfMemoryError} (which picocli's exception handler, made for
     * exceptions, does not see) becomes the one-line error {@code edgeloop: out of memory ...} that names the
     * maximum heap and suggests {@code -Xmx}, with exit code {@link #EXIT_FAILURE}, instead of a stack trace.
     *
     * @param cl   the command line, from {@link #commandLine()}
     * @param args the arguments
     * @return the exit code
     */
    public static int execute(CommandLine cl, String... args) {
        try {
            return cl.execute(args);
        } catch (OutOfMemoryError e) {
            // The command's data is unreachable once the stack has unwound, so printing a line is safe.
            PrintWriter err = cl.getErr();
            err.println("edgeloop: out of memory (" + e.getMessage() + ") with a maximum heap of "
                    + Runtime.getRuntime().maxMemory() / (1024 * 1024) + " MiB; give the JVM more, for example "
                    + "java -Xmx4g -jar edgeloop.jar ...");
            err.flush();
            return EXIT_FAILURE;
        }
    }

    /**
     * Returns the configured picocli command line, with Edgeloop's error handling. Sets
     * {@code sun.net.httpserver.nodelay=true} unless it is set ({@link TcpNoDelay}).
     *
     * @return the command line
     */
    public static CommandLine commandLine() {
        // before any command starts an IngestServer or UpdateServer: without it, every answer with a body on a kept
        // connection (a device's poll, a refusal) waited ~40 ms for the client's delayed ACK (TcpNoDelay says why)
        TcpNoDelay.enable();
        CommandLine cl = new CommandLine(new Edgeloop());
        // Tribuo logs its training progress at INFO through java.util.logging (hundreds of lines on stderr for one
        // forest): every command that trains (train, bench quantize, label ...) shows it only with --verbose.
        cl.setExecutionStrategy(parseResult -> {
            boolean quiet = !isVerbose(parseResult);
            if (quiet) {
                quietTribuo();
                // every command, not only those that remembered to call it: 'buffer gateway' printed the
                // Forwarder's INFO line on every upstream retry
                quietLibraryLogs();
            } else {
                showProviderTracesWhenVerbose();
            }
            try {
                return new CommandLine.RunLast().execute(parseResult);
            } finally {
                if (quiet) {
                    restoreTribuo();
                }
            }
        });
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            boolean v = parseResult.hasMatchedOption("--verbose") || isVerbose(parseResult);
            PrintWriter err = commandLine.getErr();
            err.println("edgeloop: " + oneLine(ex) + where(ex, parseResult));
            if (v) {
                printStackTrace(ex, err);
            }
            err.flush();
            return EXIT_FAILURE;
        });
        cl.setParameterExceptionHandler((ex, args) -> {
            PrintWriter err = ex.getCommandLine().getErr();
            // picocli starts some messages with its own "Error: " (a required argument group), after ours
            String message = String.valueOf(ex.getMessage());
            err.println("edgeloop: " + (message.startsWith("Error: ") ? message.substring(7) : message));
            err.println("Try '" + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help' for usage.");
            err.flush();
            return EXIT_USAGE;
        });
        cl.setExitCodeExceptionMapper(t -> EXIT_FAILURE);
        return cl;
    }

    /**
     * Prints a stack trace for {@code --verbose}: the messages in it may quote hostile input as {@link #oneLine}'s
     * do, so each line goes through {@link PrintableText}, keeping the trace's own tabs.
     */
    private static void printStackTrace(Throwable ex, PrintWriter err) {
        java.io.StringWriter trace = new java.io.StringWriter();
        ex.printStackTrace(new PrintWriter(trace, true));
        trace.toString().lines().forEach(l -> err.println(java.util.Arrays.stream(l.split("\t", -1))
                .map(PrintableText::of).collect(java.util.stream.Collectors.joining("\t"))));
    }

    private static void quietTribuo() {
        synchronized (TRIBUO_LEVEL_LOCK) {
            if (quietCommands++ == 0) {
                tribuoLevelBefore = TRIBUO_LOG.getLevel();
                TRIBUO_LOG.setLevel(java.util.logging.Level.WARNING);
            }
        }
    }

    private static void restoreTribuo() {
        synchronized (TRIBUO_LEVEL_LOCK) {
            if (--quietCommands == 0) {
                TRIBUO_LOG.setLevel(tribuoLevelBefore);
            }
        }
    }

    /** slf4j-simple's default level (the CLI's binding), read when the JVM's first logger is created. */
    public static final String SIMPLE_LOGGER_LEVEL = "org.slf4j.simpleLogger.defaultLogLevel";

    /**
     * Keeps the libraries' slf4j INFO lines (retries, recoveries) off stderr unless {@code --verbose} was given
     * anywhere on the command line: the command's own output says what happened. An explicit
     * {@code -Dorg.slf4j.simpleLogger.defaultLogLevel} wins. slf4j-simple reads the level when the JVM's first logger
     * is created, so it applies to the JVM's first command. {@link #commandLine()}'s execution strategy does this for
     * every command before it runs; a command run through another picocli setup may call it itself, before it uses
     * the libraries.
     *
     * @param spec the running command's spec
     */
    public static void quietLibraryLogsUnlessVerbose(CommandLine.Model.CommandSpec spec) {
        if (!isVerbose(spec.root().commandLine().getParseResult())) {
            quietLibraryLogs();
        }
    }

    private static void quietLibraryLogs() {
        if (System.getProperty(SIMPLE_LOGGER_LEVEL) == null) {
            System.setProperty(SIMPLE_LOGGER_LEVEL, "warn");
        }
    }

    /**
     * Keeps one library logger to ERROR unless {@code --verbose} was given anywhere on the command line, for a
     * command that prints that logger's warnings itself: {@code buffer drain} prints each distinct failure the
     * Forwarder reports, so the Forwarder's own WARN line ("batch of N refused ... retrying in halves") said it
     * twice. An explicit {@code -Dorg.slf4j.simpleLogger.log.NAME} wins. Like
     * {@link #quietLibraryLogsUnlessVerbose}, call it before the logger is created.
     *
     * @param spec   the running command's spec
     * @param logger the logger's name (a class name)
     */
    public static void quietLoggerUnlessVerbose(CommandLine.Model.CommandSpec spec, String logger) {
        String property = "org.slf4j.simpleLogger.log." + logger;
        if (System.getProperty(property) == null && !isVerbose(spec.root().commandLine().getParseResult())) {
            System.setProperty(property, "error");
        }
    }

    /** slf4j-simple's level for ProviderLoader's logger, read when that logger is created. */
    static final String PROVIDER_LOADER_LEVEL = "org.slf4j.simpleLogger.log.io.edgeloop.api.spi.ProviderLoader";

    /**
     * Lets {@code --verbose} show the stack trace of a provider that failed to load: ProviderLoader logs a one-line
     * WARN and the trace at DEBUG, below slf4j-simple's default INFO. Only that logger, so the other libraries'
     * DEBUG lines stay off. An explicit {@code -D} of that property wins.
     */
    private static void showProviderTracesWhenVerbose() {
        if (System.getProperty(PROVIDER_LOADER_LEVEL) == null) {
            System.setProperty(PROVIDER_LOADER_LEVEL, "debug");
        }
    }

    private static boolean isVerbose(CommandLine.ParseResult pr) {
        for (CommandLine.ParseResult p = pr; p != null; p = p.subcommand()) {
            if (p.hasMatchedOption("--verbose")) {
                return true;
            }
        }
        return false;
    }

    /**
     * Names where an I/O error happened when its message does not: a full disk ({@code No space left on device}
     * from a channel write carries no path) names the command's output options, and a port in use
     * ({@link java.net.BindException}) its address options. Empty when the message names its file already
     * ({@link java.nio.file.FileSystemException}) or for other errors.
     *
     * @param ex the exception the command failed with
     * @param pr the parsed command line
     * @return {@code " (...)"} or the empty string
     */
    static String where(Throwable ex, CommandLine.ParseResult pr) {
        Throwable root = ex;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        boolean bind = root instanceof java.net.BindException;
        String m = String.valueOf(root.getMessage());
        boolean full = root instanceof java.io.IOException && !(root instanceof java.nio.file.FileSystemException)
                && (m.contains("No space left on device") || m.contains("Disk quota exceeded"));
        if (!bind && !full || pr == null) {
            return "";
        }
        CommandLine.ParseResult last = pr;
        while (last.subcommand() != null) {
            last = last.subcommand();
        }
        java.util.List<String> named = new java.util.ArrayList<>();
        for (CommandLine.Model.OptionSpec o : last.commandSpec().options()) {
            Object value = o.getValue();
            String name = o.longestName();
            boolean wanted = bind ? name.equals("--port") || name.equals("--listen") || name.equals("--host")
                    : java.nio.file.Path.class.isAssignableFrom(o.type())
                            && (name.endsWith("out") || name.equals("--dir") || name.equals("--queue"));
            if (wanted && value != null) {
                named.add(name + " " + value);
            }
        }
        if (named.isEmpty() || bind && namesPort(ex, last)) {
            return "";
        }
        return PrintableText.of((bind ? " (binding " : " (writing ") + String.join(", ", named) + ")");
    }

    /**
     * Whether the outermost {@link java.net.BindException} in {@code ex}'s chain already names the port the command
     * was given ({@code IngestServer} and {@code RelayServer} say "Cannot listen on HOST:PORT: ..."), so the address
     * is not printed twice.
     */
    private static boolean namesPort(Throwable ex, CommandLine.ParseResult last) {
        Throwable t = ex;
        while (!(t instanceof java.net.BindException) && t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        String m = String.valueOf(t.getMessage());
        for (CommandLine.Model.OptionSpec o : last.commandSpec().options()) {
            Object value = o.getValue();
            String name = o.longestName();
            if (value != null && (name.equals("--port") || name.equals("--listen"))) {
                String v = value.toString();
                if (m.contains(":" + v.substring(v.lastIndexOf(':') + 1))) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * Formats an exception as one line: its message, and the root cause's message when different. Line breaks
     * become spaces and every other control character {@code ?} ({@link PrintableText}): messages may quote
     * hostile input (an archive's header bytes), and an escape sequence must not reach the terminal.
     *
     * @param ex the exception
     * @return the line
     */
    public static String oneLine(Throwable ex) {
        String msg = message(ex);
        Throwable root = ex;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        if (root != ex && root.getMessage() != null && !msg.contains(message(root))) {
            msg = msg + ": " + message(root);
        }
        return PrintableText.of(msg.replace("\r\n", " ").replace('\n', ' '));
    }

    /**
     * java.nio's file exceptions carry only the path as their message ({@code NoSuchFileException: /x.csv}): say
     * what is wrong with it.
     */
    private static String message(Throwable t) {
        if (t instanceof java.nio.file.FileSystemException) {
            java.nio.file.FileSystemException f = (java.nio.file.FileSystemException) t;
            String what = null;
            if (t instanceof java.nio.file.NoSuchFileException) {
                what = "no such file or directory";
            } else if (t instanceof java.nio.file.NotDirectoryException) {
                what = "not a directory";
            } else if (t instanceof java.nio.file.AccessDeniedException) {
                what = "permission denied";
            } else if (t instanceof java.nio.file.DirectoryNotEmptyException) {
                what = "directory not empty";
            } else if (t instanceof java.nio.file.FileAlreadyExistsException) {
                // Files.createDirectories throws it for a path that exists as a file.
                what = f.getFile() != null && java.nio.file.Files.exists(java.nio.file.Path.of(f.getFile()))
                        && !java.nio.file.Files.isDirectory(java.nio.file.Path.of(f.getFile()))
                        ? "not a directory (a file exists there)" : "already exists";
            } else if (f.getReason() == null) {
                what = "file system error";
            }
            if (f.getReason() != null) {
                // a reason is the thrower's own words ("not a buffer directory (it does not exist; check the
                // path)"): it says more than the type, and wrapping it in parentheses nested them
                return f.getFile() + (f.getOtherFile() != null ? " -> " + f.getOtherFile() : "") + ": "
                        + f.getReason();
            }
            if (what != null) {
                return what + ": " + f.getFile() + (f.getOtherFile() != null ? " -> " + f.getOtherFile() : "");
            }
        }
        if (t instanceof com.fasterxml.jackson.core.JsonProcessingException) {
            // Jackson appends " at [Source: REDACTED (`StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION` disabled); line:
            // 1, column: 1]" to its message: the messages that wrap it name the file and the line themselves.
            // an unclosed object or array quotes its start inside the message: "(start marker at [Source: ...])"
            String original = ((com.fasterxml.jackson.core.JsonProcessingException) t).getOriginalMessage();
            if (original != null) {
                return original.replaceAll(" ?\\(start marker at \\[Source: [^\\]]*\\]\\)", "");
            }
        }
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Supplies {@code --version}. Thread-safe. */
    public static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"edgeloop " + EdgeloopVersion.get(),
                    "Java " + System.getProperty("java.version") + " on " + System.getProperty("os.name") + " "
                            + System.getProperty("os.arch")};
        }
    }
}

package io.edgeloop.cli.buffer;

import io.edgeloop.cli.CommandGroup;
import picocli.CommandLine.Command;

/**
 * {@code edgeloop buffer}: Append to, inspect, verify and drain durable on-device buffers.
 *
 * <p>Not thread-safe: one instance per invocation.
 */
@Command(name = "buffer", mixinStandardHelpOptions = true, description = "Append to, inspect, verify and drain durable on-device buffers.",
        subcommands = {
                BufferAppendCommand.class,
                BufferDumpCommand.class,
                BufferVerifyCommand.class,
                BufferDrainCommand.class,
                BufferGatewayCommand.class,
                BufferIngestCommand.class
        })
public final class BufferCommand extends CommandGroup {
}

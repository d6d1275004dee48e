package io.edgeloop.cli.rollout;

import io.edgeloop.cli.CommandGroup;
import picocli.CommandLine.Command;

/**
 * {@code edgeloop rollout}: Run and simulate staged fleet rollouts.
 *
 * <p>Not thread-safe: one instance per invocation.
 */
@Command(name = "rollout", mixinStandardHelpOptions = true, description = "Run and simulate staged fleet rollouts.",
        subcommands = {
                RolloutSimulateCommand.class,
        })
public final class RolloutCommand extends CommandGroup {
}

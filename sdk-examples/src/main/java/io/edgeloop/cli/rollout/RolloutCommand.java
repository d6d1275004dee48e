package io.edgeloop.cli.rollout;

import io.edgeloop.cli.CommandGroup;
import picocli.CommandLine.Command;

/**
 * {@code edgeloop rollout}: simulate staged fleet rollouts (sdk-ota's rollout engine driving simulated devices). A real
 * fleet is served by sdk-ota's {@code UpdateServer} and {@code DeviceAgent}, which have no command of their own.
 *
 * <p>Not thread-safe: one instance per invocation.
 */
@Command(name = "rollout", mixinStandardHelpOptions = true, description = "Simulate staged fleet rollouts: sdk-ota's rollout engine over a simulated fleet.",
        subcommands = {
                RolloutSimulateCommand.class,
        })
public final class RolloutCommand extends CommandGroup {
}

package io.edgeloop.cli.bundle;

import io.edgeloop.cli.CommandGroup;
import picocli.CommandLine.Command;

/**
 * {@code edgeloop bundle}: Create, sign, verify and inspect model bundles; serve and publish them to devices; withdraw a publication devices refuse.
 *
 * <p>Not thread-safe: one instance per invocation.
 */
@Command(name = "bundle", mixinStandardHelpOptions = true, description = "Create, sign, verify and inspect model bundles; serve and publish them to devices; withdraw a publication devices refuse.",
        subcommands = {
                BundleKeygenCommand.class,
                BundleTrustCommand.class,
                BundleCreateCommand.class,
                BundleVerifyCommand.class,
                BundleInspectCommand.class,
                BundleWithdrawCommand.class,
                BundleServeCommand.class,
                BundlePublishCommand.class,
        })
public final class BundleCommand extends CommandGroup {
}

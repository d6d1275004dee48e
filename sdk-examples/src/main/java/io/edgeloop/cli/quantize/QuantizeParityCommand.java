package io.edgeloop.cli.quantize;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.edgeloop.quantize.parity.ParityResult;
import io.edgeloop.quantize.workflow.QuantizeWorkflow;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code edgeloop quantize parity}: runs the directory's C code on a target (host gcc, simavr, qemu) and compares
 * every output with the Java runtime (through a hash of all outputs and a sample compared one by one). Exits 1 when
 * any output differs.
 *
 * <p>Not thread-safe: one instance per invocation.
 */
@Command(name = "parity", mixinStandardHelpOptions = true,
        description = "Run the generated C code on a target and compare it bit for bit with the Java runtime.")
public final class QuantizeParityCommand implements Callable<Integer> {
    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "A quantized-model directory.")
    private Path dir;

    @Option(names = "--target", paramLabel = "T", description = "Where to run: the model's own target (the default, "
            + "read from its model.json; a board of one's own runs on the emulator of its core), or host: the same C "
            + "code built by the host gcc and run natively. Another target contradicts the model and is refused.")
    private String target;

    @Option(names = "--vectors", defaultValue = "10000", paramLabel = "N",
            description = "Number of vectors (default: ${DEFAULT-VALUE}).")
    private int vectors;

    @Option(names = "--seed", defaultValue = "1", paramLabel = "S", description = "Seed (default: ${DEFAULT-VALUE}).")
    private long seed;

    @Option(names = "--json", description = "Print JSON.")
    private boolean json;

    /** Targets whose machine is implied by their id; any other (a board's own) is told where it ran. */
    private static final java.util.Set<String> BUILT_IN = java.util.Set.of("host", "jvm", "avr8", "cortex-m0",
            "cortex-m3", "cortex-m4f");

    @Override
    public Integer call() throws Exception {
        io.edgeloop.cli.PathOption.requireNonEmpty("--model", dir);
        ParityResult r = QuantizeWorkflow.parity(dir, target(), vectors, seed);
        // --target host builds for the jvm profile (a host core): the result's target is that profile's id, and
        // the lines read "jvm: ..." and "jvm does not match ..." for a run asked for as host. --json keeps the
        // profile id in "target" ("simulatedMcu" says host).
        String ran = isHost() ? "host" : r.target();
        if (json) {
            spec.commandLine().getOut().println(new ObjectMapper().writeValueAsString(r.toMap()));
        } else {
            spec.commandLine().getOut().println(ran + ": " + r.vectors() + " vectors"
                    + (r.thresholdVectors() > 0 ? " + " + r.thresholdVectors() + " tree-threshold vectors" : "") + ", "
                    + r.mismatchSummary() + ", flash " + r.flashBytes() + " B, RAM " + r.ramBytes() + " B"
                    + (r.cyclesPerInference().isPresent() ? ", " + r.cyclesPerInference().getAsLong() + " cycles/inference"
                    + (r.simulatedOnLargerPart() ? " on the atmega328p (a timing image)" : "")
                    : ", cycles " + r.cyclesSource())
                    + (r.simulatedOnLargerPart() ? "; simulated on the " + r.simulatedMcu()
                    + " (the test image does not fit the ATmega328P; sizes are model.c for the ATmega328P"
                    + (r.simulatedMcuCyclesPerInference().isPresent() ? "; " + r.simulatedMcuCyclesPerInference()
                    .getAsLong() + " cycles/inference there, not the ATmega328P's" : "") + ")" : "")
                    + (BUILT_IN.contains(r.target()) ? "" : "; ran on " + r.simulatedMcu()));
        }
        spec.commandLine().getOut().flush();
        if (r.mismatches() != 0) {
            // Only sampled vectors are compared one by one once the hashes differ: the count is a lower bound.
            throw new IllegalStateException(ran + " does not match the Java runtime: " + r.mismatchSummary());
        }
        return 0;
    }

    private boolean isHost() {
        return target != null && target.trim().equalsIgnoreCase("host");
    }

    /**
     * The target to run on: the model's own when --target is omitted (it was required, though model.json names it);
     * host as given; another known profile is a contradiction (model.c and report.json's sizes are for the model's
     * target), refused; an unknown id goes on to the workflow, whose error lists the known targets.
     */
    private String target() throws java.io.IOException {
        if (isHost()) {
            return target;
        }
        String own = QuantizeWorkflow.load(dir).target().id();
        if (target == null) {
            return own;
        }
        String id = target.trim().toLowerCase(java.util.Locale.ROOT);
        if (!id.equals(own) && io.edgeloop.api.target.TargetProfiles.load().find(id).isPresent()) {
            throw new IllegalArgumentException("--target " + id + " contradicts the model: " + dir + " was quantized"
                    + " for " + own + " (its model.json); omit --target to run it on " + own + ", give --target host"
                    + " to run the same C code natively, or quantize again with --target " + id);
        }
        return target;
    }
}

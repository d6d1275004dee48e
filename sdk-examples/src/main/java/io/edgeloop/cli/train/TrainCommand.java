package io.edgeloop.cli.train;

import io.edgeloop.api.provenance.Provenance;
import io.edgeloop.api.provenance.Sha256;
import io.edgeloop.cli.OutputPath;
import io.edgeloop.cli.PathOption;
import io.edgeloop.labeling.train.EndModel;
import io.edgeloop.labeling.train.ProvenanceFiles;
import io.edgeloop.ota.bundle.PrintableText;
import io.edgeloop.ota.file.AtomicFiles;
import io.edgeloop.quantize.importer.ModelReader;
import io.edgeloop.quantize.workflow.QuantizeWorkflow;
import io.edgeloop.quantize.train.CsvData;
import io.edgeloop.quantize.train.TribuoTraining;
import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import org.tribuo.Model;
import org.tribuo.classification.Label;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code edgeloop train}: trains a Tribuo classifier on a CSV file, checks it (finite parameters, a label from finite
 * scores for every training row) and only then writes it ({@code Model.serializeToFile} to a temporary file in the
 * target directory, moved into place atomically), ready for {@code edgeloop quantize}. A model that fails the check
 * is refused with the cause and nothing is written; an existing file at {@code --out} is left as it was. As for
 * {@code bundle create --out}, {@code --out} may replace a model written by train (and its provenance file a
 * provenance file); any other existing file there is refused unless {@code --force}. The CSV may be any readable
 * non-directory (a pipe too: it is read once). Next to the
 * model goes its provenance, {@code <out>.provenance.json} (docs/formats/provenance-file.md, kind {@code model}: the
 * CSV's name, size and SHA-256, the options, features, classes, row count and training accuracy), which
 * {@code edgeloop quantize} checks and records as the quantized model's parent. {@code SOURCE_DATE_EPOCH} sets its
 * creation time, as for {@code quantize}.
 * Tribuo's progress logging (java.util.logging INFO) is shown only with {@code --verbose} (as for every command).
 *
 * <p>Not thread-safe: one instance per invocation.
 */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Train a float model on a CSV file with Tribuo (header row, numeric features, label column of "
                + "strings or integers).")
public final class TrainCommand implements Callable<Integer> {
    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Option(names = "--csv", required = true, paramLabel = "F", description = "Training CSV with a header row.")
    private Path csv;

    @Option(names = "--label", required = true, paramLabel = "COLUMN", description = "The label column.")
    private String label;

    @Option(names = "--drop", split = ",", paramLabel = "COL", description = "Columns to ignore (comma-separated).")
    private List<String> drop = List.of();

    @Option(names = "--algo", defaultValue = "logistic", paramLabel = "ALGO",
            description = "logistic, cart or forest (default: ${DEFAULT-VALUE}).")
    private String algo;

    @Option(names = "--seed", defaultValue = "1", description = "Seed (default: ${DEFAULT-VALUE}).")
    private long seed;

    @Option(names = "--out", required = true, paramLabel = "MODEL", description = "The model file to write (it may "
            + "replace a model written by train, and MODEL.provenance.json a provenance file; another existing file "
            + "only with --force; never the --csv input).")
    private Path out;

    @Option(names = "--force", description = "Replace an existing --out file (or MODEL.provenance.json) that is not "
            + "a model written by train (or a provenance file).")
    private boolean force;

    @Override
    public Integer call() throws Exception {
        PathOption.requireNonEmpty("--csv", csv);
        PathOption.requireNonEmpty("--out", out);
        // Any readable non-directory: the CSV is read once, so a pipe (--csv <(zcat x.csv.gz)) or a FIFO works too.
        if (Files.isDirectory(csv)) {
            throw new IllegalArgumentException("CSV file " + csv + " is a directory");
        }
        if (!Files.exists(csv)) {
            throw new IllegalArgumentException("CSV file " + csv + " does not exist");
        }
        if (Files.isDirectory(out)) {
            throw new IllegalArgumentException("--out " + out + " is a directory; give the model file to write");
        }
        // The model and its provenance file must not replace the training data (bad-input sweep s16 H3).
        OutputPath.refuseInput("--out", out, "--csv", csv);
        OutputPath.refuseInput("--out's provenance file", ProvenanceFiles.fileFor(out), "--csv", csv);
        if (!force) {
            // as bundle create --out: rerunning train replaces its own output, never another file (bad-input walk
            // s23: --out keys/private.pem turned a signing key into a model, exit 0)
            refuseOtherFile(out);
        }
        Set<String> d = new LinkedHashSet<>(drop);
        if (d.contains(label)) {
            throw new IllegalArgumentException("--drop " + label + " names the label column (--label " + label
                    + "); the label cannot be dropped");
        }
        // One read: the model is trained on the bytes the provenance's digest describes. Digesting the file and then
        // parsing it again let a CSV replaced in between by one of the same length (which the size check that used
        // to follow could not see) be recorded under the digest of a file the model was not trained on.
        byte[] csvContent = Files.readAllBytes(csv);
        String csvSha = Sha256.hex(csvContent);
        long csvBytes = csvContent.length;
        CsvData data = CsvData.read(csv, csvContent, label, d);
        List<CsvData.ClassCount> classes = data.classes();
        // A class of one odd row is more often a typo than a class (a model trained on it has a class it can hardly
        // learn); it is the user's data, so a warning, not a refusal. Likewise a class named like a missing value.
        for (CsvData.ClassCount c : classes) {
            if (c.rare(data.size())) {
                spec.commandLine().getErr().println(String.format(Locale.ROOT, "edgeloop: warning: class '%s' of "
                        + "column '%s' has only %d of %d rows (the first on %s line %d): a typo?",
                        PrintableText.of(c.name()), PrintableText.of(label), c.rows(), data.size(), csv,
                        c.firstLine()));
            }
            // "None" or "NA" may be a real class ("fault: none") or missing values a tool wrote out: the user knows.
            if (c.looksMissing()) {
                spec.commandLine().getErr().println(String.format(Locale.ROOT, "edgeloop: warning: class '%s' of "
                        + "column '%s' (%d of %d rows, the first on %s line %d) looks like a missing-value marker; "
                        + "if it is a real class, ignore this", PrintableText.of(c.name()), PrintableText.of(label),
                        c.rows(), data.size(), csv, c.firstLine()));
            }
        }
        spec.commandLine().getErr().flush();
        // Tribuo's progress log is quiet unless --verbose: Edgeloop.commandLine() sets that for every command.
        // SOURCE_DATE_EPOCH fixes every time Tribuo records (training, data source), as it fixes quantize's: the
        // same CSV, algorithm and seed then write byte-identical model files
        Model<Label> m = TribuoTraining.train(data, algo, seed,
                QuantizeWorkflow.sourceDateEpoch(System.getenv("SOURCE_DATE_EPOCH")));
        double accuracy = TribuoTraining.evaluate(m, data);
        Provenance provenance = provenance(m, data, csvSha, csvBytes, accuracy);
        write(m, out, provenance);
        // Both paths as given: the provenance file's bare name read as if it were in the working directory.
        // The features in the model's input order (Tribuo's, alphabetical), the order model.h takes them in: the
        // CSV's order fed to a firmware dropped occupancy accuracy from 95.65 % to 21 % (firmware walk s22).
        List<String> order = modelOrder(m);
        spec.commandLine().getOut().println(String.format(Locale.ROOT,
                "trained %s on %d rows (%d features, in the model's input order (model.h's): %s%s; %d classes: %s), "
                        + "training accuracy %.2f%%, wrote %s and %s",
                algo, data.size(), order.size(), PrintableText.of(String.join(", ", order)),
                order.equals(data.features()) ? "" : " (not the CSV's order)", classes.size(),
                String.join(", ", classes.stream().map(c -> PrintableText.of(c.name()) + " (" + c.rows() + (c.rows() == 1 ? " row)" : " rows)")).toList()),
                accuracy, out, ProvenanceFiles.fileFor(out)));
        spec.commandLine().getOut().flush();
        return 0;
    }

    /**
     * Refuses an existing {@code out} that is not a model written by train (a Tribuo model file, recognised by how its
     * protobuf starts), and an existing {@code out.provenance.json} that is not a provenance file: replacing those is
     * the documented workflow, replacing a key, a bundle or a CSV is a slip.
     */
    static void refuseOtherFile(Path out) throws IOException {
        // only a regular file is opened: reading a FIFO would wait for a writer
        if (Files.exists(out) && !Files.isDirectory(out)
                && !(Files.isRegularFile(out) && ModelReader.startsAsTribuoModel(out))) {
            throw new IllegalArgumentException("--out " + out + " exists and is not a model written by train (it does "
                    + "not start as a Tribuo model); train replaces only such a model: choose another path, or add "
                    + "--force to replace it");
        }
        Path p = ProvenanceFiles.fileFor(out);
        if (Files.exists(p) && !Files.isDirectory(p)) {
            try { // readFile refuses a FIFO or device without opening it
                ProvenanceFiles.readFile(p);
            } catch (IOException e) {
                IllegalArgumentException x = new IllegalArgumentException("--out " + out + "'s provenance file " + p
                        + " exists and is not a provenance file (" + e.getMessage() + "); train replaces only a "
                        + "provenance file there: choose another --out path, or add --force to replace it");
                x.addSuppressed(e);
                throw x;
            }
        }
    }

    /** The model's features by input index: the order quantize keeps and model.h's inputs take. */
    static List<String> modelOrder(Model<Label> m) {
        org.tribuo.ImmutableFeatureMap fmap = m.getFeatureIDMap();
        List<String> out = new java.util.ArrayList<>();
        for (int i = 0; i < fmap.size(); i++) {
            out.add(fmap.get(i).getName());
        }
        return out;
    }

    private Provenance provenance(Model<Label> m, CsvData data, String csvSha, long csvBytes, double accuracy) {
        Set<String> classes = new TreeSet<>();
        m.getOutputIDInfo().getDomain().forEach(l -> classes.add(l.getLabel()));
        return Provenance.capture("model", TrainCommand.class)
                .setting("algo", algo)
                .setting("label", label)
                .setting("drop", String.join(",", drop))
                .setting("features", EndModel.listSetting(data.features()))
                .setting("classes", EndModel.listSetting(List.copyOf(classes)))
                .setting("trainingRows", data.size())
                .setting("trainingAccuracy", String.format(Locale.ROOT, "%.4f", accuracy))
                .setting("trainer", m.getProvenance().getTrainerProvenance().getClassName())
                .setting("trainerSettings", trainerSettings(m.getProvenance().getTrainerProvenance()))
                .setting("modelClass", m.getProvenance().getClassName())
                .seed(seed)
                .input(csv.getFileName().toString(), csvSha, csvBytes)
                .createdAt(Objects.requireNonNullElseGet(
                        QuantizeWorkflow.sourceDateEpoch(System.getenv("SOURCE_DATE_EPOCH")), java.time.Instant::now))
                .build();
    }

    /**
     * The trainer's hyperparameters (its configured parameters, nested trainers' under their key, with each
     * configured object's {@code class}), as a JSON object with sorted keys: what reproducing the model needs.
     */
    static String trainerSettings(com.oracle.labs.mlrg.olcut.provenance.ConfiguredObjectProvenance trainer) {
        Map<String, String> out = new TreeMap<>();
        flatten("", trainer, out);
        try {
            return new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(out);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("cannot encode the trainer's settings", e);
        }
    }

    private static void flatten(String prefix, com.oracle.labs.mlrg.olcut.provenance.ConfiguredObjectProvenance p,
            Map<String, String> out) {
        out.put(prefix + "class", p.getClassName());
        for (Map.Entry<String, com.oracle.labs.mlrg.olcut.provenance.Provenance> e
                : p.getConfiguredParameters().entrySet()) {
            flattenValue(prefix + e.getKey(), e.getValue(), out);
        }
    }

    /**
     * One parameter's value under {@code key}: nested objects (configured or not, e.g. a transformation's
     * provenance) by their fields, lists by index and maps by key, primitives by value. Anything else by its
     * {@code toString()}; before, a list of transformations was written as {@code [...Provenance@2cf3b7d4]}, an
     * identity hash that says nothing and differs between JVMs.
     */
    private static void flattenValue(String key, com.oracle.labs.mlrg.olcut.provenance.Provenance v,
            Map<String, String> out) {
        if (v instanceof com.oracle.labs.mlrg.olcut.provenance.ConfiguredObjectProvenance c) {
            flatten(key + ".", c, out);
        } else if (v instanceof com.oracle.labs.mlrg.olcut.provenance.ObjectProvenance o) {
            out.put(key + ".class", o.getClassName());
            for (com.oracle.labs.mlrg.olcut.util.Pair<String, com.oracle.labs.mlrg.olcut.provenance.Provenance> f : o) {
                flattenValue(key + "." + f.getA(), f.getB(), out);
            }
        } else if (v instanceof com.oracle.labs.mlrg.olcut.provenance.ListProvenance<?> l) {
            int i = 0;
            for (com.oracle.labs.mlrg.olcut.provenance.Provenance item : l.getList()) {
                flattenValue(key + "." + i++, item, out);
            }
            if (i == 0) {
                out.put(key, "[]");
            }
        } else if (v instanceof com.oracle.labs.mlrg.olcut.provenance.MapProvenance<?> m) {
            for (Map.Entry<String, ? extends com.oracle.labs.mlrg.olcut.provenance.Provenance> f
                    : new TreeMap<>(m.getMap()).entrySet()) {
                flattenValue(key + "." + f.getKey(), f.getValue(), out);
            }
            if (m.getMap().isEmpty()) {
                out.put(key, "{}");
            }
        } else if (v instanceof com.oracle.labs.mlrg.olcut.provenance.PrimitiveProvenance<?> pp) {
            out.put(key, String.valueOf(pp.getValue()));
        } else {
            out.put(key, String.valueOf(v));
        }
    }

    /**
     * Writes beside the target and moves into place, so a failure never leaves a partial model at {@code out}. The
     * temporary file is created with the default permissions (the umask's), not {@code createTempFile}'s 0600, so
     * the model stays readable by whoever could read the files it replaces. Then the model's provenance file
     * replaces any {@code <out>.provenance.json} left by an earlier model at that path (which describes a file that
     * is gone, so {@code quantize} would refuse the new model as "replaced").
     */
    private static void write(Model<Label> m, Path out, Provenance provenance) throws IOException {
        Path abs = out.toAbsolutePath();
        try {
            Files.createDirectories(abs.getParent());
            // sdk-ota's writer: a locked temporary file of its own, so leftovers of killed runs can be told from
            // live writers' and are deleted below (bad-input sweep s16 L4: kill -9 left them for good)
            AtomicFiles.write(abs, m::serializeToStream);
            // Replaces (atomically) a provenance file left by the model this one replaced. Should the process die
            // between the two moves, quantize refuses the model as replaced, naming both digests: train again.
            ProvenanceFiles.write(abs, provenance);
        } catch (FileSystemException e) {
            throw namingTarget(e, abs);
        }
        AtomicFiles.deleteStaleTemporaryFilesOf(abs);
    }

    /**
     * An error about a temporary file says which file it was to become (sweep s16 L3: a read-only directory was
     * reported as {@code m.model.11339.1.2486883876497.tmp: Read-only file system}); others pass unchanged.
     */
    private static FileSystemException namingTarget(FileSystemException e, Path model) {
        String f = e.getFile();
        if (f == null || !f.endsWith(".tmp")) {
            return e;
        }
        Path target = f.contains(ProvenanceFiles.SUFFIX) ? ProvenanceFiles.fileFor(model) : model;
        String why = e.getReason() != null ? e.getReason()
                : e instanceof java.nio.file.AccessDeniedException ? "permission denied" : "cannot write it";
        FileSystemException x = new FileSystemException(target.toString(), null, why + " (writing it through "
                + "a temporary file beside it)");
        x.addSuppressed(e);
        return x;
    }
}

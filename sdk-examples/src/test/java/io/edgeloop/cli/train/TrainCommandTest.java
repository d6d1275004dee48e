package io.edgeloop.cli.train;

import static io.edgeloop.cli.InProcessCli.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;


import io.edgeloop.cli.Fifo;
import io.edgeloop.cli.FileSwapper;
import io.edgeloop.cli.InProcessCli.Result;
import io.edgeloop.cli.TribuoLogRecorder;
import io.edgeloop.labeling.train.ProvenanceFiles;
import java.io.IOException;


import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code edgeloop train}: checks before writing, writes atomically, names the column that breaks training. */
class TrainCommandTest {
    @TempDir
    Path dir;

    /** Columns tiny (~1e-310, subnormal), huge (~1e300) and mid (N(0,1)); label = mid > 0. */
    private Path extreme() throws IOException {
        Random r = new Random(3);
        StringBuilder b = new StringBuilder("tiny,huge,mid,label\n");
        for (int i = 0; i < 400; i++) {
            double mid = r.nextGaussian();
            b.append(String.format(Locale.ROOT, "%s,%s,%s,%d%n", (1 + r.nextDouble()) * 1e-310,
                    (1 + r.nextDouble()) * 1e300, mid, mid > 0 ? 1 : 0));
        }
        Path f = dir.resolve("extreme.csv");
        Files.writeString(f, b);
        return f;
    }

    private List<Path> files() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        }
    }

    @Test
    @DisplayName("a CSV swapped with another of the same length while train runs is recorded under the digest of the "
            + "rows the model was trained on")
    void csvSwappedDuringTrainingIsRecordedAsTheRowsUsed() throws Exception {
        // Two CSVs of the same length (so the size check after training cannot tell them apart): the labels of
        // the second are the first's shuffled, so the same logistic model scores very differently on each.
        Random r = new Random(5);
        StringBuilder a = new StringBuilder("x,y,label\n");
        List<String> labels = new java.util.ArrayList<>();
        List<String> rows = new java.util.ArrayList<>();
        for (int i = 0; i < 300; i++) {
            double x = r.nextGaussian();
            double y = r.nextGaussian();
            rows.add(String.format(Locale.ROOT, "%.6f,%.6f,", x, y));
            labels.add(x + y > 0 ? "1" : "0");
        }
        List<String> shuffled = new java.util.ArrayList<>(labels);
        java.util.Collections.shuffle(shuffled, new Random(6));
        StringBuilder b = new StringBuilder("x,y,label\n");
        for (int i = 0; i < rows.size(); i++) {
            a.append(rows.get(i)).append(labels.get(i)).append('\n');
            b.append(rows.get(i)).append(shuffled.get(i)).append('\n');
        }
        List<byte[]> versions = List.of(a.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8),
                b.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertEquals(versions.get(0).length, versions.get(1).length);
        Path csv = dir.resolve("data.csv");
        java.util.Map<String, String> accuracyBySha = new java.util.HashMap<>();
        for (int v = 0; v < 2; v++) {
            Files.write(csv, versions.get(v));
            Path out = dir.resolve("reference-" + v + ".model");
            Result ok = run("train", "--csv", csv.toString(), "--label", "label", "--algo", "logistic", "--out",
                    out.toString());
            assertEquals(0, ok.code(), ok.err());
            accuracyBySha.put(io.edgeloop.api.provenance.Sha256.hex(versions.get(v)),
                    ProvenanceFiles.read(out).settings().get("trainingAccuracy"));
        }
        assertEquals(2, new java.util.HashSet<>(accuracyBySha.values()).size(), "the two files must train to "
                + "different accuracies for this test to see a mix-up: " + accuracyBySha);
        FileSwapper swapper = new FileSwapper(csv, versions, "csv-swapper");
        try {
            for (int run = 0; run < 8; run++) {
                Path out = dir.resolve("m-" + run + ".model");
                Result ok = run("train", "--csv", csv.toString(), "--label", "label", "--algo", "logistic", "--out",
                        out.toString());
                assertEquals(0, ok.code(), "run " + run + ": " + ok.err());
                io.edgeloop.api.provenance.Provenance p = ProvenanceFiles.read(out);
                String sha = p.inputs().get(0).sha256();
                assertTrue(accuracyBySha.containsKey(sha), "run " + run + ": digest " + sha + " is neither file");
                assertEquals(accuracyBySha.get(sha), p.settings().get("trainingAccuracy"), "run " + run + ": the "
                        + "model was trained on other rows than the data.csv its provenance names");
            }
        } finally {
            swapper.stop();
        }
    }

    @Test
    @DisplayName("the model gets the default file permissions (not a temp file's 0600), and a provenance file left by "
            + "the model it replaces is replaced")
    void replacesCleanly() throws IOException {
        Path csv = extreme();
        Path out = dir.resolve("m.model");
        // the previous model at that path and its provenance, written by train from another CSV
        Result first = run("train", "--csv", small().toString(), "--label", "label", "--out", out.toString());
        assertEquals(0, first.code(), first.err());
        assertEquals("small.csv", ProvenanceFiles.read(out).inputs().get(0).name());
        Result ok = run("train", "--csv", csv.toString(), "--label", "label", "--drop", "tiny,huge", "--out",
                out.toString());
        assertEquals(0, ok.code(), ok.err());
        assertEquals(csv.getFileName().toString(), ProvenanceFiles.read(out).inputs().get(0).name(),
                "the stale provenance is replaced by the new model's");
        Path plain = Files.createFile(dir.resolve("plain"));
        assertEquals(Files.getPosixFilePermissions(plain), Files.getPosixFilePermissions(out),
                "same permissions as any file created here");
    }

    @Test
    @DisplayName("the provenance names the trainer's class and hyperparameters and the model class apart (trainer "
            + "held the model class: org.tribuo.common.tree.TreeModel for cart)")
    void provenanceNamesTheTrainerAndItsSettings() throws IOException {
        Path csv = extreme();
        String[][] cases = {
            {"cart", "org.tribuo.classification.dtree.CARTClassificationTrainer", "org.tribuo.common.tree.TreeModel"},
            {"logistic", "org.tribuo.transform.TransformTrainer", "org.tribuo.transform.TransformedModel"},
        };
        for (String[] c : cases) {
            Path out = dir.resolve(c[0] + ".model");
            Result ok = run("train", "--csv", csv.toString(), "--label", "label", "--drop", "tiny,huge", "--algo", c[0],
                    "--seed", "7", "--out", out.toString());
            assertEquals(0, ok.code(), ok.err());
            java.util.Map<String, String> s = ProvenanceFiles.read(out).settings();
            assertEquals(c[1], s.get("trainer"), c[0]);
            assertEquals(c[2], s.get("modelClass"), c[0]);
            com.fasterxml.jackson.databind.JsonNode t = new com.fasterxml.jackson.databind.ObjectMapper()
                    .readTree(s.get("trainerSettings"));
            assertEquals(c[1], t.get("class").asText(), s.get("trainerSettings"));
            if (c[0].equals("cart")) {
                assertTrue(t.has("maxDepth") && t.has("seed"), s.get("trainerSettings"));
                assertEquals("7", t.get("seed").asText(), s.get("trainerSettings"));
            } else {
                assertTrue(t.has("innerTrainer.class") && t.toString().contains("epochs"), s.get("trainerSettings"));
            }
            // every value is information, not an object's identity hash (the logistic trainer's transformation
            // list was written as "[...MeanStdDevTransformationProvenance@2cf3b7d4]")
            for (java.util.Map.Entry<String, com.fasterxml.jackson.databind.JsonNode> f : t.properties()) {
                assertFalse(f.getValue().asText().matches("(?s).*@[0-9a-f]{4,}.*"),
                        f.getKey() + " = " + f.getValue().asText());
            }
        }
    }

    @Test
    @DisplayName("a subnormal or a 1e300 column is refused by name in one line; no model file, old model kept, no temp")
    void refusesColumnsThatBreakTraining() throws IOException {
        Path csv = extreme();
        Path out = dir.resolve("d.model");
        Result tiny = run("train", "--csv", csv.toString(), "--label", "label", "--drop", "huge", "--algo", "logistic",
                "--out", out.toString());
        assertEquals(1, tiny.code(), tiny.err());
        assertTrue(tiny.err().startsWith("edgeloop: Column 'tiny' breaks logistic regression"), tiny.err());
        assertEquals(1, tiny.err().strip().lines().count(), tiny.err());
        assertFalse(Files.exists(out), "nothing written");
        // An existing model at --out (one train wrote: train may replace only such a file) survives a failed run
        // untouched.
        Path prev = dir.resolve("prev.model");
        assertEquals(0, run("train", "--csv", csv.toString(), "--label", "label", "--drop", "tiny,huge", "--algo",
                "cart", "--out", prev.toString()).code());
        Files.delete(ProvenanceFiles.fileFor(prev));
        Files.move(prev, out);
        byte[] previous = Files.readAllBytes(out);
        Result huge = run("train", "--csv", csv.toString(), "--label", "label", "--drop", "tiny", "--algo", "logistic",
                "--out", out.toString());
        assertEquals(1, huge.code(), huge.err());
        assertTrue(huge.err().startsWith("edgeloop: Column 'huge' breaks logistic regression")
                && huge.err().contains("--drop huge"), huge.err());
        assertArrayEquals(previous, Files.readAllBytes(out));
        assertEquals(List.of(out, csv), files(), "no temporary files left behind");
        // Without the offending columns it trains, replaces the old file and the result reads back.
        Result ok = run("train", "--csv", csv.toString(), "--label", "label", "--drop", "tiny,huge", "--algo",
                "logistic", "--out", out.toString());
        assertEquals(0, ok.code(), ok.err());
        assertTrue(ok.out().contains("training accuracy"), ok.out());
        assertTrue(org.tribuo.Model.deserializeFromFile(out) != null);
        assertEquals(List.of(out, ProvenanceFiles.fileFor(out), csv), files(), "no temporary files left behind");
    }

    @Test
    @DisplayName("Tribuo's INFO logging stays quiet unless --verbose")
    void quietUnlessVerbose() throws IOException {
        Path csv = extreme();
        try (TribuoLogRecorder seen = new TribuoLogRecorder()) {
            Result quiet = run("train", "--csv", csv.toString(), "--label", "label", "--drop", "tiny,huge", "--out",
                    dir.resolve("q.model").toString());
            assertEquals(0, quiet.code(), quiet.err());
            assertEquals(0, seen.belowWarning(), seen.belowWarning() + " records below WARNING");
            Result loud = run("train", "--verbose", "--csv", csv.toString(), "--label", "label", "--drop", "tiny,huge",
                    "--out", dir.resolve("v.model").toString());
            assertEquals(0, loud.code(), loud.err());
            assertTrue(seen.sawInfo(), "--verbose shows Tribuo's progress");
        }
    }

    @Test
    @DisplayName("missing files and paths that are not directories are worded as such")
    void wordsFileErrors() throws IOException {
        Path csv = extreme();
        Result missing = run("train", "--csv", dir.resolve("nope.csv").toString(), "--label", "label", "--out",
                dir.resolve("m.model").toString());
        assertTrue(missing.code() == 1 && missing.err().contains("does not exist"), missing.err());
        Path file = Files.writeString(dir.resolve("notadir"), "x");
        Result under = run("train", "--csv", csv.toString(), "--label", "label", "--drop", "tiny,huge", "--out",
                file.resolve("m.model").toString());
        assertEquals(1, under.code(), under.err());
        assertTrue(under.err().startsWith("edgeloop: not a directory (a file exists there): " + file), under.err());
        Result isDir = run("train", "--csv", csv.toString(), "--label", "label", "--drop", "tiny,huge", "--out",
                dir.toString());
        assertTrue(isDir.code() == 1 && isDir.err().contains("is a directory"), isDir.err());
    }

    @Test
    @DisplayName("--out refuses an existing file that is not a model written by train (a private key), and a "
            + "provenance file path holding another file, unless --force (bad-input walk s23: exit 0, key gone)")
    void outRefusesAFileThatIsNotATrainModelUnlessForced() throws IOException {
        Path csv = small();
        Path key = Files.writeString(dir.resolve("private.pem"), "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEI\n"
                + "-----END PRIVATE KEY-----\n");
        byte[] keyBytes = Files.readAllBytes(key);
        // Before: exit 0, "wrote private.pem and private.pem.provenance.json", the key replaced by a model.
        Result r = run("train", "--csv", csv.toString(), "--label", "label", "--out", key.toString());
        assertEquals(1, r.code(), r.out() + r.err());
        assertEquals("edgeloop: --out " + key + " exists and is not a model written by train (it does not start as a "
                + "Tribuo model); train replaces only such a model: choose another path, or add --force to replace "
                + "it", r.err().strip());
        assertArrayEquals(keyBytes, Files.readAllBytes(key), "the key is left as it was");
        assertFalse(Files.exists(ProvenanceFiles.fileFor(key)), "no provenance file written");

        Path model = dir.resolve("m.model");
        Path notes = Files.writeString(ProvenanceFiles.fileFor(model), "my notes\n");
        Result p = run("train", "--csv", csv.toString(), "--label", "label", "--out", model.toString());
        assertEquals(1, p.code(), p.out() + p.err());
        assertTrue(p.err().startsWith("edgeloop: --out " + model + "'s provenance file " + notes + " exists and is "
                + "not a provenance file (") && p.err().contains("add --force to replace it"), p.err());
        assertEquals("my notes\n", Files.readString(notes));
        assertFalse(Files.exists(model), "nothing written");

        Result forced = run("train", "--csv", csv.toString(), "--label", "label", "--out", key.toString(),
                "--force");
        assertEquals(0, forced.code(), forced.err());
        assertEquals("small.csv", ProvenanceFiles.read(key).inputs().get(0).name(), "--force replaces it");
    }

    @Test
    @DisplayName("--csv may be a pipe (read once); an empty --csv or --out value is refused naming the option")
    void csvFromAPipeAndEmptyPathOptions() throws Exception {
        Path csv = small();
        Fifo fifo = Fifo.feeding(dir.resolve("rows.fifo"), Files.readAllBytes(csv));
        Path out = dir.resolve("p.model");
        // Before: "CSV file .../rows.fifo does not exist" (Files.isRegularFile), exit 1.
        Result r = run("train", "--csv", fifo.path().toString(), "--label", "label", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        fifo.awaitRead();
        assertEquals(Files.size(csv), ProvenanceFiles.read(out).inputs().get(0).sizeBytes());

        Result devNull = run("train", "--csv", "/dev/null", "--label", "label", "--out", out.toString());
        assertEquals("edgeloop: /dev/null is empty; expected a header row", devNull.err().strip());
        Result emptyOut = run("train", "--csv", csv.toString(), "--label", "label", "--out=");
        assertEquals("edgeloop: --out is empty; give a path", emptyOut.err().strip());
        Result emptyCsv = run("train", "--csv=", "--label", "label", "--out", out.toString());
        assertEquals("edgeloop: --csv is empty; give a path", emptyCsv.err().strip());
    }

    @Test
    @DisplayName("--drop naming the label column is refused in one line")
    void dropOfTheLabelIsRefused() throws IOException {
        Path csv = extreme();
        Path out = dir.resolve("l.model");
        // Before: accepted, the label stayed the label.
        Result r = run("train", "--csv", csv.toString(), "--label", "label", "--drop", "tiny,label", "--out",
                out.toString());
        assertEquals(1, r.code(), r.err());
        assertEquals("edgeloop: --drop label names the label column (--label label); the label cannot be dropped",
                r.err().strip());
        assertFalse(Files.exists(out), "nothing written");
    }
    @Test
    @DisplayName("a CSV whose header names two columns alike is refused in one line naming both columns")
    void duplicateColumnNamesAreRefused() throws IOException {
        Path csv = dir.resolve("dup.csv");
        Files.writeString(csv, "a,b,a,label\n1,2,3,x\n4,5,6,y\n2,2,2,x\n5,5,5,y\n");
        Path out = dir.resolve("d.model");
        // Before: Tribuo refused it in its own words; quantize --calib and eval fed column 1 to both inputs 'a'.
        Result r = run("train", "--csv", csv.toString(), "--label", "label", "--algo", "cart", "--out", out.toString());
        assertEquals(1, r.code(), r.err());
        assertEquals("edgeloop: " + csv + " has two columns named 'a' (columns 1 and 3 of the header); column names "
                + "must be distinct: rename one", r.err().strip());
        assertFalse(Files.exists(out), "nothing written");
    }

    @Test
    @DisplayName("SOURCE_DATE_EPOCH: two train runs on the same CSV write byte-identical model and provenance files "
            + "(forest: 20 trees, each with its own Tribuo training time)")
    void sourceDateEpochMakesModelsReproducible() throws Exception {
        Path csv = extreme();
        List<byte[]> models = new java.util.ArrayList<>();
        List<byte[]> provenance = new java.util.ArrayList<>();
        for (String run : List.of("a", "b")) {
            Path out = Files.createDirectories(dir.resolve(run)).resolve("m.model");
            // The variable is read from the environment, so the CLI runs as a child JVM.
            io.edgeloop.cli.ChildCli.runOk(java.util.Map.of("SOURCE_DATE_EPOCH", "1700000000"), "train", "--csv",
                    csv.toString(), "--label", "label", "--drop", "tiny,huge", "--algo", "forest", "--out",
                    out.toString());
            models.add(Files.readAllBytes(out));
            provenance.add(Files.readAllBytes(ProvenanceFiles.fileFor(out)));
        }
        assertTrue(java.util.Arrays.equals(models.get(0), models.get(1)), "two runs, one SOURCE_DATE_EPOCH: model");
        assertTrue(java.util.Arrays.equals(provenance.get(0), provenance.get(1)), "provenance file");
        assertTrue(new String(models.get(0), java.nio.charset.StandardCharsets.ISO_8859_1)
                .contains("2023-11-14T22:13:20Z"), "the time recorded is SOURCE_DATE_EPOCH's");
    }

    /** 300 rows x,y with label x + y > 0 as 1 or 0; {@code odd} replaces the label of the row on line 101. */
    private Path labelled(String name, String odd) throws IOException {
        Random r = new Random(8);
        StringBuilder b = new StringBuilder("x,y,label\n");
        for (int i = 0; i < 300; i++) {
            double x = r.nextGaussian();
            double y = r.nextGaussian();
            b.append(String.format(Locale.ROOT, "%.6f,%.6f,%s%n", x, y, i == 99 && odd != null ? odd
                    : x + y > 0 ? "1" : "0"));
        }
        return Files.writeString(dir.resolve(name), b);
    }

    @Test
    @DisplayName("a NaN label or a 1.0 beside 1 is refused in one line naming file, line and column, nothing written; "
            + "both used to become a third class with exit code 0")
    void oddLabelValuesAreRefused() throws IOException {
        Path out = dir.resolve("n.model");
        Path nan = labelled("nan.csv", "NaN");
        Result r = run("train", "--csv", nan.toString(), "--label", "label", "--out", out.toString());
        assertEquals(1, r.code(), r.out() + r.err());
        assertEquals("edgeloop: " + nan + " line 101: the label column 'label' holds 'NaN', which marks a missing "
                + "value, not a class; fix or remove that row", r.err().strip());
        Path twoWays = labelled("float.csv", "1.0");
        r = run("train", "--csv", twoWays.toString(), "--label", "label", "--out", out.toString());
        assertEquals(1, r.code(), r.out() + r.err());
        assertTrue(r.err().startsWith("edgeloop: " + twoWays + ": the label column 'label' writes one number two ways,"
                + " '1' (line ") && r.err().contains("and '1.0' (line 101)"), r.err());
        assertFalse(Files.exists(out), "nothing written");
    }

    @Test
    @DisplayName("the summary lists the features in the model's input order (model.h's), not the CSV's, and says so "
            + "when they differ (firmware walk s22: CSV order fed to model.h dropped accuracy from 95.65 % to 21 %)")
    void summaryGivesTheModelsInputOrder() throws IOException {
        Random rnd = new Random(9);
        StringBuilder b = new StringBuilder("temp,humidity,co2,label\n");
        for (int i = 0; i < 200; i++) {
            double t = rnd.nextGaussian();
            b.append(String.format(Locale.ROOT, "%.4f,%.4f,%.4f,%d%n", t, rnd.nextGaussian(), rnd.nextGaussian(),
                    t > 0 ? 1 : 0));
        }
        Path csv = dir.resolve("order.csv");
        Files.writeString(csv, b);
        for (String algo : List.of("logistic", "cart")) {
            Result r = run("train", "--csv", csv.toString(), "--label", "label", "--algo", algo, "--out",
                    dir.resolve(algo + ".model").toString());
            assertEquals(0, r.code(), r.err());
            assertTrue(r.out().startsWith("trained " + algo + " on 200 rows (3 features, in the model's input order "
                    + "(model.h's): co2, humidity, temp (not the CSV's order); 2 classes"), r.out());
        }
    }

    @Test
    @DisplayName("a class of one row is trained but warned about on stderr (name, count, first line: a typo?), and the "
            + "summary lists every class with its row count")
    void rareClassIsWarnedAboutAndClassesAreCounted() throws IOException {
        Path csv = labelled("yes.csv", "yes");
        Path out = dir.resolve("y.model");
        Result r = run("train", "--csv", csv.toString(), "--label", "label", "--algo", "cart", "--out",
                out.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals("edgeloop: warning: class 'yes' of column 'label' has only 1 of 300 rows (the first on " + csv
                + " line 101): a typo?", r.err().strip());
        assertTrue(r.out().matches("(?s)trained cart on 300 rows \\(2 features, in the model's input order \\(model.h's\\): x, y; 3 classes: 0 \\(\\d+ rows\\), "
                + "1 \\(\\d+ rows\\), yes \\(1 row\\)\\), training accuracy .*"), r.out());
        Result clean = run("train", "--csv", labelled("clean.csv", null).toString(), "--label", "label", "--out",
                dir.resolve("c.model").toString());
        assertEquals(0, clean.code(), clean.err());
        assertEquals("", clean.err(), "no warning on clean data");
    }

    @Test
    @DisplayName("a class named like a missing value ('none' of fault: none/bearing/imbalance) is trained with a "
            + "warning on stderr; 5dbb3ded refused it with exit code 1, and there was no way around it")
    void classNamedLikeAMissingValueIsTrainedWithAWarning() throws IOException {
        Random rnd = new Random(3);
        StringBuilder b = new StringBuilder("temp,vib,fault\n");
        String[] faults = {"none", "bearing", "imbalance"};
        for (int i = 0; i < 300; i++) {
            int k = i % 3;
            b.append(String.format(Locale.ROOT, "%.2f,%.2f,%s%n", 20 + 10 * k + rnd.nextGaussian(),
                    1 + 2 * k + rnd.nextGaussian() * 0.3, faults[k]));
        }
        Path csv = Files.writeString(dir.resolve("faults.csv"), b);
        Path out = dir.resolve("f.model");
        Result r = run("train", "--csv", csv.toString(), "--label", "fault", "--out", out.toString());
        assertEquals(0, r.code(), r.out() + r.err());
        assertEquals("edgeloop: warning: class 'none' of column 'fault' (100 of 300 rows, the first on " + csv
                + " line 2) looks like a missing-value marker; if it is a real class, ignore this", r.err().strip());
        assertTrue(r.out().contains("3 classes: bearing (100 rows), imbalance (100 rows), none (100 rows)"), r.out());
        assertTrue(Files.isRegularFile(out));
        // a stray null among 0/1 labels: trained, with the rare-class warning and this one
        Path stray = labelled("null.csv", "null");
        r = run("train", "--csv", stray.toString(), "--label", "label", "--algo", "cart", "--out",
                dir.resolve("s.model").toString());
        assertEquals(0, r.code(), r.out() + r.err());
        assertEquals(List.of("edgeloop: warning: class 'null' of column 'label' has only 1 of 300 rows (the first on "
                + stray + " line 101): a typo?", "edgeloop: warning: class 'null' of column 'label' (1 of 300 rows, the "
                + "first on " + stray + " line 101) looks like a missing-value marker; if it is a real class, ignore "
                + "this"), r.err().strip().lines().toList());
    }

    @Test
    @DisplayName("--out in a directory that does not exist yet: the summary names both files with that directory (the "
            + "provenance file used to be named without it)")
    void summaryNamesTheFilesAsGiven() throws IOException {
        Path csv = labelled("d.csv", null);
        Path out = dir.resolve("nodir").resolve("x.model");
        Result r = run("train", "--csv", csv.toString(), "--label", "label", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().strip().endsWith("wrote " + out + " and " + out + ".provenance.json"), r.out());
        assertTrue(Files.isRegularFile(dir.resolve("nodir").resolve("x.model.provenance.json")));
    }
    /** 200 rows of two features and a yes/no label: quick to train. */
    private Path small() throws IOException {
        Random r = new Random(7);
        StringBuilder b = new StringBuilder("a,b,label\n");
        for (int i = 0; i < 200; i++) {
            double x = r.nextGaussian();
            double y = r.nextGaussian();
            b.append(String.format(Locale.ROOT, "%.4f,%.4f,%s%n", x, y, x - y > 0 ? "yes" : "no"));
        }
        return Files.writeString(dir.resolve("small.csv"), b);
    }

    @Test
    @DisplayName("a write that fails on the temporary file is reported naming --out, not the temporary file "
            + "(sweep s16 L3; a name too long for the temporary file's suffix stands in for a read-only directory, "
            + "which root, running these tests, could write)")
    void failedWriteNamesOut() throws IOException {
        Path out = dir.resolve("m".repeat(240) + ".model");
        Result r = run("train", "--csv", small().toString(), "--label", "label", "--out", out.toString());
        assertEquals(1, r.code(), r.out() + r.err());
        assertTrue(r.err().startsWith("edgeloop: " + out + ": ") && !r.err().contains(".tmp"), r.err());
        assertFalse(Files.exists(out));
    }

    @Test
    @DisplayName("train deletes the temporary files of its own writes that killed runs left beside --out (sweep "
            + "s16 L4), and leaves other files and a live process's alone")
    void deletesLeftoversOfKilledRuns() throws IOException {
        Path out = dir.resolve("m.model");
        Path dead = Files.writeString(dir.resolve(".m.model.999999999.1.tmp"), "half a model");
        Path live = Files.writeString(dir.resolve(".m.model." + ProcessHandle.current().parent().orElseThrow().pid()
                + ".1.tmp"), "a live writer's");
        Path other = Files.writeString(dir.resolve(".other.model.999999999.1.tmp"), "not ours");
        Files.setLastModifiedTime(dead, java.nio.file.attribute.FileTime.fromMillis(0));
        Result r = run("train", "--csv", small().toString(), "--label", "label", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        assertFalse(Files.exists(dead), "a dead run's leftover is deleted");
        assertTrue(Files.exists(live) && Files.exists(other), "a live writer's and another file's are kept");
        assertTrue(Files.exists(out));
    }
}

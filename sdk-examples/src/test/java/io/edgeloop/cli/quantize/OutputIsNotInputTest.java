package io.edgeloop.cli.quantize;

import static io.edgeloop.cli.InProcessCli.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.cli.InProcessCli.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad-input sweep s16 H3: {@code train} and {@code quantize} never write over the files they read. */
class OutputIsNotInputTest {
    /** 300 rows of the occupancy data: enough to train and quantize, quick. */
    private static Path csv(Path dir) throws Exception {
        Path occupancy = QuantizeCliTest.datasets().resolve("occupancy-detection-uci");
        List<String> lines = Files.readAllLines(occupancy.resolve("datatraining.txt"));
        return Files.write(dir.resolve("train.csv"), lines.subList(0, 301));
    }

    private static void assertRefused(Result r, Path victim, byte[] before, String says) throws Exception {
        assertEquals(1, r.code(), r.out() + r.err());
        assertTrue(r.err().contains(says), "says '" + says + "': " + r.err());
        assertArrayEquals(before, Files.readAllBytes(victim), victim + " is unchanged");
    }

    @Test
    @DisplayName("train refuses an --out (or its provenance file) that is the --csv, by any name, and keeps the data")
    void trainRefusesToWriteOverItsCsv(@TempDir Path dir) throws Exception {
        Path csv = csv(dir);
        byte[] data = Files.readAllBytes(csv);
        Path link = Files.createSymbolicLink(dir.resolve("link.csv"), csv);
        for (Path out : List.of(csv, link, dir.resolve("sub/../train.csv"))) {
            Files.createDirectories(dir.resolve("sub"));
            assertRefused(run("train", "--csv", csv.toString(), "--label", "Occupancy", "--drop", "date", "--out",
                    out.toString()), csv, data, "--out " + out + " is the same file as --csv " + csv);
        }
        Path prov = Files.write(dir.resolve("m.provenance.json"), data);
        assertRefused(run("train", "--csv", prov.toString(), "--label", "Occupancy", "--drop", "date", "--out",
                dir.resolve("m").toString()), prov, data, "provenance file " + prov + " is the same file as --csv");
    }

    @Test
    @DisplayName("quantize refuses an --out directory that holds its --model or --calib (replacing it would delete "
            + "them) and keeps them")
    void quantizeRefusesToReplaceItsInputs(@TempDir Path dir) throws Exception {
        Path csv = csv(dir);
        Path model = dir.resolve("occ.model");
        Result r = run("train", "--csv", csv.toString(), "--label", "Occupancy", "--drop", "date", "--out",
                model.toString());
        assertEquals(0, r.code(), r.err());
        Path q = dir.resolve("q");
        r = run("quantize", "--model", model.toString(), "--calib", csv.toString(), "--scheme", "int8", "--target",
                "avr8", "--out", q.toString());
        assertEquals(0, r.code(), r.err());
        Path calibInside = Files.copy(csv, q.resolve("calib.csv"));
        byte[] calib = Files.readAllBytes(calibInside);
        assertRefused(run("quantize", "--model", model.toString(), "--calib", calibInside.toString(), "--scheme",
                "int8", "--target", "avr8", "--out", q.toString()), calibInside, calib,
                "--calib " + calibInside + " lies inside --out " + q);
        Path modelInside = Files.copy(model, q.resolve("occ.model"));
        Files.copy(dir.resolve("occ.model.provenance.json"), q.resolve("occ.model.provenance.json"));
        byte[] m = Files.readAllBytes(modelInside);
        assertRefused(run("quantize", "--model", modelInside.toString(), "--calib", csv.toString(), "--scheme",
                "int8", "--target", "avr8", "--out", q.toString()), modelInside, m,
                "--model " + modelInside + " lies inside --out " + q);
        byte[] csvBytes = Files.readAllBytes(csv);
        assertRefused(run("quantize", "--model", model.toString(), "--calib", csv.toString(), "--scheme", "int8",
                "--target", "avr8", "--out", csv.toString()), csv, csvBytes, "--out " + csv + " is the same file as "
                + "--calib " + csv);
    }
}

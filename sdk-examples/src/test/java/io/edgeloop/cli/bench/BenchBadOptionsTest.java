package io.edgeloop.cli.bench;

import static io.edgeloop.cli.InProcessCli.run;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.edgeloop.cli.InProcessCli.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bench options refused after parsing: exit 1 before any measuring, naming the option, the value and the range. */
class BenchBadOptionsTest {
    @TempDir
    Path tmp;

    @Test
    @DisplayName("bench ota names --bytes or --iterations and its range, including the upper limit")
    void otaNamesTheOption() {
        String bytes = "edgeloop: --bytes must be between 1024 (1 KiB) and 67108864 (64 MiB, the largest bundle "
                + "entry a reader accepts), got ";
        String iterations = "edgeloop: --iterations must be between 5 (a median needs a few runs) and 10000, got ";
        String[][] cases = {
            {"--bytes", "-1", bytes + "-1"},
            {"--bytes", "2147483647", bytes + "2147483647"},
            {"--bytes", "1023", bytes + "1023"},
            {"--iterations", "0", iterations + "0"},
            {"--iterations", "10001", iterations + "10001"},
        };
        for (String[] c : cases) {
            Result r = run("bench", "ota", c[0], c[1]);
            assertEquals(1, r.code(), r.err());
            assertEquals(c[2], r.err().strip());
        }
    }

    @Test
    @DisplayName("bench label refuses a --wrench-root that holds no WRENCH set instead of skipping the table")
    void labelRefusesARootWithoutSets() throws Exception {
        Path empty = Files.createDirectories(tmp.resolve("nosets/x"));
        Result r = run("bench", "label", "--rows", "1000", "--windows", "100", "--wrench-root",
                empty.getParent().toString());
        assertEquals(1, r.code(), r.err());
        assertEquals("edgeloop: --wrench-root " + empty.getParent() + " holds no WRENCH set (a subdirectory with "
                + "train.json, test.json and label.json, such as sms, tennis or youtube); pass --wrench-root with the "
                + "directory that holds the sets", r.err().strip());
        assertEquals("", r.out());
    }

    @Test
    @DisplayName("bench quantize refuses --label or --drop without --csv, as it refuses --csv without --label")
    void quantizeRefusesLabelWithoutCsv() {
        Result r = run("bench", "quantize", "--label", "Occupancy", "--millis", "1");
        assertEquals(1, r.code(), r.err());
        assertEquals("edgeloop: --label Occupancy names a column of --csv, which is not given (without --csv the "
                + "benchmark uses 5,000 synthetic rows); add --csv FILE or omit --label", r.err().strip());
        r = run("bench", "quantize", "--drop", "date", "--millis", "1");
        assertEquals(1, r.code(), r.err());
        assertEquals("edgeloop: --drop date names a column of --csv, which is not given (without --csv the "
                + "benchmark uses 5,000 synthetic rows); add --csv FILE or omit --drop", r.err().strip());
    }
}

package io.edgeloop.cli.bench;

import static io.edgeloop.cli.InProcessCli.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.edgeloop.cli.InProcessCli.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The benchmark's output shape (figures are not checked: benchmarks are not tests). */
class BenchBufferCommandTest {
    @TempDir
    Path tmp;

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "--sizes -1|--sizes must each be between 1 and 1048576 bytes, got -1",
        "--sizes 0|--sizes must each be between 1 and 1048576 bytes, got 0",
        "--sizes 100,2000000|--sizes must each be between 1 and 1048576 bytes, got 2000000",
        "--seconds 0.0001|--seconds must be between 0.001 and 3600, got 1.0E-4",
        "--seconds NaN|--seconds must be between 0.001 and 3600, got NaN",
        "--repeat 0|--repeat must be between 1 and 1000, got 0",
        "--reopen-only --reopen-bytes -5|--reopen-bytes must be between 4194304 (one segment) and 68719476736, got -5",
        "--reopen --reopen-bytes 1000|--reopen-bytes must be between 4194304 (one segment) and 68719476736, got 1000"})
    @DisplayName("bad options are refused in one line before anything runs (and before any page-cache drop)")
    void refusesBadOptions(String options, String message) throws Exception {
        RefusedOptions.assertRefusedBeforeAnythingRuns(tmp, "buffer", options, message);
    }

    @Test
    @DisplayName("--reopen's help says it drops the whole machine's page cache")
    void reopenHelpWarns() {
        Result r = run("bench", "buffer", "--help");
        assertEquals(0, r.code());
        String help = r.out().replaceAll("\\s+", " ");
        assertTrue(help.contains("drops the WHOLE MACHINE's page cache"), help);
    }

    @Test
    @DisplayName("bench buffer --json reports every system, policy and size with ratios, and cleans up")
    void printsResultsAndRatios() throws Exception {
        Result bench = run("bench", "buffer", "--json", "--dir", tmp.toString(), "--seconds", "0.05", "--repeat", "1",
                "--sizes", "100,1024");
        assertEquals(0, bench.code(), bench.err());
        JsonNode doc = new ObjectMapper().readTree(bench.out());
        Set<String> seen = new HashSet<>();
        for (JsonNode r : doc.get("results")) {
            seen.add(r.get("system").asText() + "/" + r.get("policy").asText() + "/" + r.get("recordBytes").asInt());
            assertTrue(r.get("recordsPerSec").asDouble() > 0, r.toString());
            assertTrue(r.has("mbPerSec"), r.toString());
        }
        for (int size : new int[] {100, 1024}) {
            for (String c : new String[] {"edgeloop/always", "edgeloop/group", "edgeloop/none", "tape/always",
                    "raw/always", "raw/group", "raw/none"}) {
                assertTrue(seen.contains(c + "/" + size), "missing " + c + "/" + size);
            }
        }
        assertEquals(14, doc.get("results").size());
        for (JsonNode r : doc.get("results")) {
            if (r.get("system").asText().equals("tape")) {
                // Tape's O_DSYNC writes are not counted, so no figure is printed for them
                assertTrue(r.get("syncs").isNull(), r.toString());
            } else {
                assertTrue(r.get("syncs").asLong() >= 0, r.toString());
            }
            if (r.get("system").asText().equals("raw") && r.get("policy").asText().equals("group")) {
                assertTrue(r.get("variant").asText().contains("second thread"), "the raw group baseline syncs"
                        + " beside the appends, as group commit does: " + r);
                assertTrue(r.get("variant").asText().contains("one write per record"), "issue #3's raw appends: "
                        + r);
                assertTrue(r.get("syncs").asLong() >= 1, r.toString());
            }
            assertTrue(r.get("minRecordsPerSec").asLong() <= r.get("recordsPerSec").asLong()
                    && r.get("recordsPerSec").asLong() <= r.get("maxRecordsPerSec").asLong(), r.toString());
        }
        assertEquals(4, doc.get("extraBaselines").size(), "per size: raw group coalesced, and with the force inline");
        int coalesced = 0;
        for (JsonNode r : doc.get("extraBaselines")) {
            String variant = r.get("variant").asText();
            assertTrue(variant.contains("appending thread") || variant.contains("64 KiB buffer"), r.toString());
            coalesced += variant.contains("64 KiB buffer") ? 1 : 0;
        }
        assertEquals(2, coalesced);
        boolean groupVsTape = false;
        boolean groupVsRaw = false;
        for (JsonNode r : doc.get("ratios")) {
            assertEquals(1, r.get("perRepetition").size(), r.toString());
            assertEquals(r.get("ratio").asDouble(), r.get("perRepetition").get(0).asDouble(), 1e-9, r.toString());
            assertTrue(r.get("min").asDouble() <= r.get("ratio").asDouble()
                    && r.get("ratio").asDouble() <= r.get("max").asDouble(), r.toString());
            if (r.has("target")) {
                // one repetition cannot straddle its target
                String verdict = r.get("verdict").asText();
                assertTrue(verdict.equals("met") || verdict.equals("not met"), r.toString());
                assertEquals(verdict.equals("met"), r.get("met").asBoolean(), r.toString());
            }
            if (r.get("recordBytes").asInt() == 100 && r.get("edgeloop").asText().equals("group")) {
                if (r.get("vs").asText().equals("tape always")) {
                    groupVsTape = r.get("target").asDouble() == 50.0;
                } else if (r.get("vs").asText().equals("raw group")) {
                    groupVsRaw = r.get("target").asDouble() == 0.8;
                }
            }
        }
        assertTrue(groupVsTape, "the 50x target is reported");
        assertTrue(groupVsRaw, "the 0.8x target is reported");
        try (Stream<Path> s = Files.list(tmp)) {
            assertEquals(0, s.count(), "scratch files deleted");
        }
    }
}

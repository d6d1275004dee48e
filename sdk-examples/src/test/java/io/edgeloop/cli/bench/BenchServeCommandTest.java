package io.edgeloop.cli.bench;

import static io.edgeloop.cli.InProcessCli.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.edgeloop.cli.InProcessCli.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The benchmark's output shape (figures are not checked: benchmarks are not tests). */
class BenchServeCommandTest {
    @TempDir
    Path tmp;

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "--polls 0|--polls must be between 1 and 1000000, got 0",
        "--repeat 101|--repeat must be between 1 and 100, got 101",
        "--warmup -1|--warmup must be between 0 and 1000000, got -1",
        "--gap -5|--gap must be between 0 and 60000 ms, got -5"})
    @DisplayName("bad options are refused in one line before anything runs")
    void refusesBadOptions(String options, String message) throws Exception {
        RefusedOptions.assertRefusedBeforeAnythingRuns(tmp, "serve", options, message);
    }

    @Test
    @DisplayName("bench serve --json polls a bundle serve with TCP_NODELAY on and one with it off, reports both and "
            + "their paired ratio, and cleans up")
    void reportsBothServers() throws Exception {
        Result bench = run("bench", "serve", "--json", "--dir", tmp.toString(), "--polls", "5", "--repeat", "2",
                "--warmup", "1");
        assertEquals(0, bench.code(), bench.err());
        JsonNode doc = new ObjectMapper().readTree(bench.out());
        List<String> servers = new ArrayList<>();
        for (JsonNode r : doc.get("results")) {
            servers.add(r.get("server").asText());
            assertEquals(2, r.get("perRepetition").size(), r.toString());
            assertTrue(r.get("minPollsPerSec").asDouble() <= r.get("pollsPerSec").asDouble()
                    && r.get("pollsPerSec").asDouble() <= r.get("maxPollsPerSec").asDouble(), r.toString());
            assertTrue(r.get("msPerPoll").asDouble() > 0, r.toString());
        }
        assertEquals(List.of("nodelay on", "nodelay off"), servers);
        JsonNode ratio = doc.get("nodelayOnVsOff");
        assertEquals(2, ratio.get("perRepetition").size(), ratio.toString());
        assertTrue(ratio.get("min").asDouble() <= ratio.get("ratio").asDouble()
                && ratio.get("ratio").asDouble() <= ratio.get("max").asDouble(), ratio.toString());
        try (Stream<Path> s = Files.list(tmp)) {
            assertEquals(0, s.count(), "scratch files deleted");
        }
    }
}

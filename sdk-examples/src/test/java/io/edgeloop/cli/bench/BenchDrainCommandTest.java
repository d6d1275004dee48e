package io.edgeloop.cli.bench;

import static io.edgeloop.cli.InProcessCli.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.edgeloop.cli.InProcessCli.Result;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The benchmark's output shape (figures are not checked: benchmarks are not tests). */
class BenchDrainCommandTest {
    @TempDir
    Path tmp;

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "--records 0|--records must be between 1 and 100000000, got 0",
        "--size 0|--size must be between 1 and 1048576 bytes, got 0",
        "--batch 0|--batch must be between 1 and 100000, got 0",
        "--repeat 0|--repeat must be between 1 and 100, got 0",
        "--warmup -1|--warmup must be between 0 and 10000000, got -1",
        "--mqtt localhost|--mqtt must be HOST:PORT, got 'localhost'",
        "--transports http,kafka|--transports: unknown transport 'kafka', use http, mqtt, relay",
        "--transports http,http|--transports names a transport twice: [http, http]"})
    @DisplayName("bad options are refused in one line before anything runs")
    void refusesBadOptions(String options, String message) throws Exception {
        RefusedOptions.assertRefusedBeforeAnythingRuns(tmp, "drain", options, message);
    }

    @Test
    @DisplayName("bench drain --json reports every transport and its paired ratio to the first, and cleans up")
    void reportsEveryTransport() throws Exception {
        Result bench = run("bench", "drain", "--json", "--dir", tmp.toString(), "--records", "1200", "--batch", "500",
                "--repeat", "2", "--warmup", "100", "--transports", "http,mqtt,relay");
        assertEquals(0, bench.code(), bench.err());
        JsonNode doc = new ObjectMapper().readTree(bench.out());
        List<String> transports = new ArrayList<>();
        for (JsonNode r : doc.get("results")) {
            transports.add(r.get("transport").asText());
            assertEquals(3, r.get("batches").asLong(), "1200 records in batches of at most 500: " + r);
            assertEquals(2, r.get("perRepetition").size(), r.toString());
            assertTrue(r.get("minRecordsPerSec").asLong() <= r.get("recordsPerSec").asLong()
                    && r.get("recordsPerSec").asLong() <= r.get("maxRecordsPerSec").asLong(), r.toString());
        }
        assertEquals(List.of("http", "mqtt", "relay"), transports);
        List<String> ratios = new ArrayList<>();
        for (JsonNode r : doc.get("ratios")) {
            ratios.add(r.get("transport").asText() + "/" + r.get("vs").asText());
            assertEquals(2, r.get("perRepetition").size(), r.toString());
            assertTrue(r.get("min").asDouble() <= r.get("ratio").asDouble()
                    && r.get("ratio").asDouble() <= r.get("max").asDouble(), r.toString());
        }
        assertEquals(List.of("mqtt/http", "relay/http"), ratios);
        try (Stream<Path> s = Files.list(tmp)) {
            assertEquals(0, s.count(), "scratch files deleted");
        }
    }

    @Test
    @Timeout(120) // the old bench waited in the forwarder's backoff for its 10-minute drain timeout
    @DisplayName("a broker that is not listening ends bench drain with a one-line error naming it, exit code 1")
    void deadBrokerFailsInOneLine() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort(); // closed again: nothing listens there
        }
        Result bench = run("bench", "drain", "--dir", tmp.toString(), "--records", "20", "--repeat", "1",
                "--warmup", "0", "--transports", "mqtt", "--mqtt", "127.0.0.1:" + port);
        assertEquals(1, bench.code(), bench.err());
        assertTrue(bench.err().startsWith("edgeloop: the mqtt drain to mqtt://127.0.0.1:" + port + "/"), bench.err());
        assertTrue(bench.err().contains("failed: "), bench.err());
        assertEquals(1, bench.err().lines().count(), bench.err());
        assertEquals("", bench.out());
    }

    @Test
    @DisplayName("a run timing fewer than 20 batches per transport warns on stderr that its figures are noise; "
            + "one repetition is one 'repetition'")
    void warnsWhenTooFewBatchesAreTimed() throws Exception {
        Result bench = run("bench", "drain", "--dir", tmp.toString(), "--records", "1200", "--batch", "500",
                "--repeat", "1", "--warmup", "0", "--transports", "http");
        assertEquals(0, bench.code(), bench.err());
        assertEquals("edgeloop: warning: only 3 batches timed per transport (batches x --repeat 1): the figures are "
                + "noise; time at least 20, e.g. --records 10000 with --batch 500", bench.err().strip());
        assertTrue(bench.out().contains("(1200 records of 100 B in batches of 500, 1 repetition after 0 warm-up"),
                bench.out());

        Result enough = run("bench", "drain", "--dir", tmp.toString(), "--records", "400", "--batch", "50",
                "--repeat", "3", "--warmup", "0", "--transports", "http");
        assertEquals(0, enough.code(), enough.err());
        assertEquals("", enough.err(), "8 batches x 3 repetitions are timed");
        assertTrue(enough.out().contains(", 3 repetitions after "), enough.out());
    }
}

package io.edgeloop.examples.ota;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.ota.agent.InstallOutcome;
import io.edgeloop.ota.bundle.Check;
import io.edgeloop.ota.rollout.CampaignState;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("The fleet rollout example (update server, http deployer, device agents, campaigns)")
class FleetRolloutExampleTest {
    @Test
    @DisplayName("rolls v2 out in waves, halts the bad v3 after the canary rolled back, ships v4, and every device "
            + "and the server refuse v1 again")
    void rollsOutHaltsRollsBackAndRefusesRollback(@TempDir Path dir) throws Exception {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        FleetRolloutExample.Result r = FleetRolloutExample.run(dir, 3, 1, new PrintStream(buf, true, "UTF-8"));
        String log = buf.toString(StandardCharsets.UTF_8);

        assertEquals(6, r.devices().size(), log);
        assertEquals(Map.of("v2", CampaignState.COMPLETED, "v3", CampaignState.HALTED, "v4", CampaignState.COMPLETED),
                r.campaigns(), log);
        int rolledBack = 0;
        int canaryPerVariantAvr = 0;
        for (FleetRolloutExample.DeviceHistory d : r.devices().values()) {
            assertEquals(1L, d.sequences().get("v1"), d.id() + "\n" + log);
            assertEquals(2L, d.sequences().get("v2"), d.id() + "\n" + log);
            // v3 never stays anywhere: the devices it reached rolled back to v2, the others were not reached
            assertEquals(2L, d.sequences().get("v3"), d.id() + "\n" + log);
            assertEquals(4L, d.sequences().get("v4"), d.id() + "\n" + log);
            if (d.v3Outcome().isPresent()) {
                assertEquals(Optional.of(InstallOutcome.ROLLED_BACK), d.v3Outcome(), d.id() + "\n" + log);
                rolledBack++;
                canaryPerVariantAvr += d.target().equals("avr8") ? 1 : 0;
            }
            assertEquals(InstallOutcome.REFUSED, d.v1Replayed().outcome(), d.id() + "\n" + log);
            assertEquals(Optional.of(Check.ROLLBACK), d.v1Replayed().check(), d.id() + "\n" + log);
        }
        // the canary holds one device of each variant; the campaign halts before anyone else is reached
        assertEquals(2, rolledBack, log);
        assertEquals(1, canaryPerVariantAvr, log);
        assertTrue(!r.v3HaltReason().isEmpty(), log);
        assertTrue(r.serverRefusedV1().contains("409"), r.serverRefusedV1());
        assertTrue(r.serverRefusedForeignKey().contains("422") && r.serverRefusedForeignKey().contains("unknown-key"),
                r.serverRefusedForeignKey());
        assertTrue(log.contains("health check failed") || log.contains("accuracy"), log);
        // every device's storage is its own directory under the working directory
        for (String id : r.devices().keySet()) {
            assertTrue(Files.isDirectory(dir.resolve("devices").resolve(id).resolve("state")), id);
        }
    }

    @Test
    @DisplayName("a run leaves nothing behind unless kept (its directory holds the release private key), and says so "
            + "in its last line")
    void deletesItsDirectoryUnlessKept(@TempDir Path base) throws Exception {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        FleetRolloutExample.Result r = FleetRolloutExample.runIn(base, 2, 1, false, new PrintStream(buf, true,
                "UTF-8"));
        String log = buf.toString(StandardCharsets.UTF_8);
        assertEquals(CampaignState.COMPLETED, r.campaigns().get("v4"), log);
        try (Stream<Path> left = Files.list(base)) {
            assertEquals(List.of(), left.toList(), log);
        }
        List<String> lines = log.lines().toList();
        String dir = lines.get(0).substring("working directory ".length());
        assertEquals("deleted " + dir + " (--keep keeps it)", lines.get(lines.size() - 1), log);
    }

    @Test
    @DisplayName("run twice with the same directory (as main is), each run starts from nothing in a new directory of"
            + " its own and completes; run on a used directory is refused in one line and changes nothing")
    void rerunsStartFresh(@TempDir Path base) throws Exception {
        for (int run = 1; run <= 2; run++) {
            ByteArrayOutputStream buf = new ByteArrayOutputStream();
            FleetRolloutExample.Result r = FleetRolloutExample.runIn(base, 2, 1, true, new PrintStream(buf, true,
                    "UTF-8"));
            String log = buf.toString(StandardCharsets.UTF_8);
            assertEquals(Map.of("v2", CampaignState.COMPLETED, "v3", CampaignState.HALTED, "v4",
                    CampaignState.COMPLETED), r.campaigns(), "run " + run + "\n" + log);
            assertTrue(r.serverRefusedV1().contains("409"), r.serverRefusedV1());
            try (Stream<Path> runs = Files.list(base)) {
                assertEquals(run, runs.count(), "one directory per run");
            }
            assertTrue(log.contains("(--keep): it holds the release private key"), log);
        }
        Path used;
        try (Stream<Path> runs = Files.list(base)) {
            used = runs.findFirst().orElseThrow();
        }
        List<Path> before;
        try (Stream<Path> files = Files.walk(used)) {
            before = files.toList();
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> FleetRolloutExample.run(used, 2, 1, new PrintStream(new ByteArrayOutputStream(), true, "UTF-8")));
        assertTrue(e.getMessage().startsWith("working directory " + used + " is not empty") && !e.getMessage()
                .contains("\n"), e.getMessage());
        try (Stream<Path> files = Files.walk(used)) {
            assertEquals(before, files.toList(), "nothing changed");
        }
    }
}

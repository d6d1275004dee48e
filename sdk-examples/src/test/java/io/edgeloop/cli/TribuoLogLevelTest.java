package io.edgeloop.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Commands quiet Tribuo's java.util.logging progress log unless {@code --verbose}; commands run concurrently in one
 * JVM (an application calling {@link Edgeloop#run} from several threads) must leave the logger's level as they found
 * it. A save-and-restore per command left it stuck at WARNING when two commands overlapped.
 */
class TribuoLogLevelTest {
    @Test
    @DisplayName("concurrent commands, quiet and --verbose, leave Tribuo's log level as the application set it "
            + "(TrainCommandTest and BenchQuantizeCommandTest check it is quiet while they run)")
    void concurrentCommandsRestoreTheLevel() throws Exception {
        Logger tribuo = Logger.getLogger("org.tribuo");
        Level before = tribuo.getLevel();
        tribuo.setLevel(Level.FINE); // a level the application chose
        try {
            int threads = 8;
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Integer>> runs = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                boolean verbose = t % 4 == 3;
                runs.add(pool.submit(() -> {
                    start.await();
                    int failures = 0;
                    for (int i = 0; i < 60; i++) {
                        StringWriter sink = new StringWriter();
                        int code = verbose
                                ? Edgeloop.run(new PrintWriter(sink), new PrintWriter(sink), "--verbose", "train",
                                        "--help")
                                : Edgeloop.run(new PrintWriter(sink), new PrintWriter(sink), "train", "--help");
                        failures += code == 0 ? 0 : 1;
                    }
                    return failures;
                }));
            }
            start.countDown();
            for (Future<Integer> f : runs) {
                assertEquals(0, f.get(120, TimeUnit.SECONDS));
            }
            pool.shutdown();
            assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS));
            assertEquals(Level.FINE, tribuo.getLevel(), "the level the application set is back");
        } finally {
            tribuo.setLevel(before);
        }
    }
}

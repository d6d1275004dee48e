package io.edgeloop.ota.rollout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * {@link Campaign}'s controls called from another thread while a wave runs (review s7 threads item 1): a pause and a
 * resume before the canary's report existed set the campaign back to PLANNED, so a second {@code run()} sent the
 * canary again (2 of 20 devices updated twice) and, without it, the campaign stopped after the canary.
 */
class CampaignConcurrencyTest {
    /** Every device succeeds; the first update call waits until released. Counts updates per device. */
    static final class Held implements WaveExecutor {
        final CountDownLatch inside = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final Map<String, AtomicInteger> updates = new ConcurrentHashMap<>();
        final AtomicInteger calls = new AtomicInteger();

        @Override
        public Map<String, DeviceResult> update(List<FleetDevice> wave, Duration timeout) {
            if (calls.getAndIncrement() == 0) {
                inside.countDown();
                try {
                    assertTrue(release.await(10, TimeUnit.SECONDS));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            Map<String, DeviceResult> m = new HashMap<>();
            for (FleetDevice d : wave) {
                updates.computeIfAbsent(d.id(), k -> new AtomicInteger()).incrementAndGet();
                m.put(d.id(), DeviceResult.OK);
            }
            return m;
        }

        @Override
        public Map<String, Double> shadow(List<FleetDevice> devices, Duration timeout) {
            return Map.of();
        }
    }

    static Campaign campaign(Held h) {
        return new Campaign(RolloutPlan.builder().waves(List.of(0.1, 0.5, 1.0)).seed(1).build(),
                CampaignTest.fleet(20), h, CampaignTest.ALL);
    }

    @Test
    @DisplayName("a pause and a resume during the canary let the running run() finish every wave, each device once; "
            + "a second run() meanwhile is refused")
    void pauseResumeDuringWave() throws Exception {
        Held h = new Held();
        Campaign c = campaign(h);
        CompletableFuture<CampaignState> first = CompletableFuture.supplyAsync(c::run);
        assertTrue(h.inside.await(10, TimeUnit.SECONDS));
        c.pause();
        assertEquals(CampaignState.PAUSED, c.state());
        c.resume();
        assertEquals(CampaignState.RUNNING, c.state(), "the canary is in flight: the campaign has started");
        IllegalStateException e = assertThrows(IllegalStateException.class, c::run);
        assertTrue(e.getMessage().contains("one wave runs at a time"), e.getMessage());
        h.release.countDown();
        assertEquals(CampaignState.COMPLETED, first.get(10, TimeUnit.SECONDS));
        assertEquals(3, c.reports().size());
        assertEquals(20, h.updates.size());
        h.updates.forEach((d, n) -> assertEquals(1, n.get(), d + " updated " + n.get() + " times"));
    }

    @Test
    @DisplayName("a pause during a wave stops after it; resume and run() again go on from the next wave")
    void pauseDuringWaveThenRunAgain() throws Exception {
        Held h = new Held();
        Campaign c = campaign(h);
        CompletableFuture<CampaignState> first = CompletableFuture.supplyAsync(c::run);
        assertTrue(h.inside.await(10, TimeUnit.SECONDS));
        c.pause();
        h.release.countDown();
        assertEquals(CampaignState.PAUSED, first.get(10, TimeUnit.SECONDS));
        assertEquals(1, c.reports().size());
        c.resume();
        assertEquals(CampaignState.RUNNING, c.state());
        assertEquals(CampaignState.COMPLETED, c.run());
        assertEquals(3, c.reports().size());
        h.updates.forEach((d, n) -> assertEquals(1, n.get(), d + " updated " + n.get() + " times"));
        assertEquals(20, h.updates.size());
    }

    /** Every device succeeds; the first update call pauses the campaign (as an operator would, mid-wave). */
    static final class PausingExecutor implements WaveExecutor {
        Campaign campaign;
        final AtomicInteger calls = new AtomicInteger();

        @Override
        public Map<String, DeviceResult> update(List<FleetDevice> wave, Duration timeout) {
            if (calls.getAndIncrement() == 0) {
                campaign.pause();
            }
            Map<String, DeviceResult> m = new HashMap<>();
            wave.forEach(d -> m.put(d.id(), DeviceResult.OK));
            return m;
        }

        @Override
        public Map<String, Double> shadow(List<FleetDevice> devices, Duration timeout) {
            return Map.of();
        }
    }

    @Test
    @DisplayName("a resume that lands after a paused wave's outcome is recorded but before the wave is over is not "
            + "lost: run() goes on to completion instead of returning RUNNING with no wave running")
    void resumeAtTheEndOfAPausedWaveIsSeen() throws Exception {
        PausingExecutor x = new PausingExecutor();
        Campaign c = new Campaign(RolloutPlan.builder().waves(List.of(0.5, 1.0)).seed(1).minShadowAgreement(0).build(),
                CampaignTest.fleet(4), x, CampaignTest.ALL);
        x.campaign = c;
        AtomicInteger hooks = new AtomicInteger();
        c.afterWave(() -> {
            if (hooks.getAndIncrement() == 0) {
                assertEquals(CampaignState.PAUSED, c.state());
                // from another thread, completed before the wave's thread goes on (the reviewer's ResumeRace gap)
                CompletableFuture.runAsync(c::resume).join();
            }
        });
        CampaignState s = c.run();
        assertEquals(CampaignState.COMPLETED, s, "reports " + c.reports().size() + ", state " + c.state());
        assertEquals(2, c.reports().size());
    }

    @Test
    @DisplayName("run() returns PAUSED or COMPLETED, never RUNNING, whenever a resume races the end of a paused wave; "
            + "after PAUSED and the resume, run() again completes")
    void resumeRaceNeverStalls() throws Exception {
        RolloutPlan plan = RolloutPlan.builder().waves(List.of(0.5, 1.0)).seed(1).minShadowAgreement(0).build();
        java.util.Random rnd = new java.util.Random(7);
        java.util.concurrent.ExecutorService ex = java.util.concurrent.Executors.newSingleThreadExecutor();
        try {
            for (int t = 0; t < 3000; t++) {
                PausingExecutor x = new PausingExecutor();
                Campaign c = new Campaign(plan, CampaignTest.fleet(4), x, CampaignTest.ALL);
                x.campaign = c;
                CountDownLatch paused = new CountDownLatch(1);
                c.afterWave(paused::countDown);
                int spin = rnd.nextInt(400);
                java.util.concurrent.Future<?> resumer = ex.submit(() -> {
                    try {
                        paused.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    for (int i = 0; i < spin; i++) {
                        Thread.onSpinWait();
                    }
                    c.resume();
                });
                CampaignState s = c.run();
                resumer.get(10, TimeUnit.SECONDS);
                assertTrue(s == CampaignState.PAUSED || s == CampaignState.COMPLETED, "trial " + t + ": run() returned "
                        + s + " with " + c.reports().size() + " of 2 waves reported");
                if (s == CampaignState.PAUSED) {
                    assertEquals(CampaignState.COMPLETED, c.run(), "trial " + t);
                }
                assertEquals(2, c.reports().size(), "trial " + t);
            }
        } finally {
            ex.shutdownNow();
        }
    }
}

package io.edgeloop.transport.kafka;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.transport.kafka.publish.KafkaTransport;
import java.net.ServerSocket;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * {@link KafkaTransport#close()} ends a send still waiting (here: for metadata from a broker that is down) with
 * {@link IllegalStateException}, as its javadoc says: not retryable on this instance.
 */
class KafkaTransportCloseTest {
    private static KafkaTransport unreachable() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort(); // closed again: nothing listens there
        }
        return new KafkaTransport(ComponentConfig.of(Map.of("uri", "kafka://127.0.0.1:" + port + "/t",
                "timeout", "60s")));
    }

    /** Runs the call on a thread of its own and returns once that thread waits inside the Kafka producer. */
    private static <T> FutureTask<T> blockedInProducer(java.util.concurrent.Callable<T> call) throws Exception {
        FutureTask<T> task = new FutureTask<>(call);
        Thread th = new Thread(task, "blocked-sender");
        th.setDaemon(true);
        th.start();
        while (!task.isDone() && !(th.getState() == Thread.State.TIMED_WAITING || th.getState() == Thread.State.WAITING)
                || !task.isDone() && Arrays.stream(th.getStackTrace()).noneMatch(
                        f -> f.getClassName().startsWith("org.apache.kafka.clients.producer"))) {
            Thread.sleep(10);
        }
        return task;
    }

    private static void assertClosedDuringSend(Throwable e) {
        assertTrue(e instanceof IllegalStateException, "a send ended by close() must throw IllegalStateException"
                + " (not retryable on this instance), got " + e);
        assertTrue(e.getMessage().contains("closed during a send"), e.getMessage());
    }

    @Test
    @DisplayName("close() ends a waiting send with IllegalStateException, not a retryable TransportException")
    void closeEndsWaitingSendWithIllegalState() throws Exception {
        KafkaTransport t = unreachable();
        FutureTask<Void> send = blockedInProducer(() -> {
            t.send(SensorEnvelopes.batch("d", 1, 1));
            return null;
        });
        t.close();
        assertClosedDuringSend(assertThrows(ExecutionException.class, send::get).getCause());
    }

    @Test
    @DisplayName("close() completes a waiting sendAsync's future with IllegalStateException")
    void closeEndsWaitingSendAsyncWithIllegalState() throws Exception {
        KafkaTransport t = unreachable();
        FutureTask<CompletableFuture<Void>> call = blockedInProducer(() -> t.sendAsync(SensorEnvelopes.batch("d", 1,
                1)));
        t.close();
        CompletableFuture<Void> f = call.get();
        Throwable e = assertThrows(CompletionException.class, f::join).getCause();
        assertClosedDuringSend(e);
    }
}
